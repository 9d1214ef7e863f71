import SwiftSightLayers

extension LlamaModel {
    public func watchingParameters(on tape: GradientTape) -> any TransformerModel {
        var m = self
        m.tokenTable = tokenTable.watched(on: tape, name: "model.embed_tokens")
        m.blocks = blocks.enumerated().map { i, b in
            let p = "model.layers.\(i)."
            return Block(inputNorm: b.inputNorm.watched(on: tape, name: p + "input_layernorm"),
                         q: b.q.watched(on: tape, name: p + "self_attn.q_proj"), k: b.k.watched(on: tape, name: p + "self_attn.k_proj"),
                         v: b.v.watched(on: tape, name: p + "self_attn.v_proj"), o: b.o.watched(on: tape, name: p + "self_attn.o_proj"),
                         postAttentionNorm: b.postAttentionNorm.watched(on: tape, name: p + "post_attention_layernorm"),
                         gate: b.gate.watched(on: tape, name: p + "mlp.gate_proj"), up: b.up.watched(on: tape, name: p + "mlp.up_proj"),
                         down: b.down.watched(on: tape, name: p + "mlp.down_proj"), attention: b.attention)
        }
        m.norm = norm.watched(on: tape, name: "model.norm")
        // A tied head is the (watched) token table itself, so both uses add to one gradient.
        m.head = configuration.tieWordEmbeddings
            ? head.withParameters(weight: m.tokenTable.table, bias: nil)
            : head.watched(on: tape, name: "lm_head")
        return m
    }
}

extension LlamaModel: UnembeddingMatrixProvider {
    /// The head's weight, [vocab, hidden]; the token table when the embeddings are tied.
    public var unembeddingMatrix: Tensor { head.weight }
}
