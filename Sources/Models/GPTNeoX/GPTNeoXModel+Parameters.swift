import SwiftSightLayers

extension GPTNeoXModel {
    public func watchingParameters(on tape: GradientTape) -> any TransformerModel {
        var m = self
        m.tokenTable = tokenTable.watched(on: tape, name: "gpt_neox.embed_in")
        m.blocks = blocks.enumerated().map { i, b in
            let p = "gpt_neox.layers.\(i)."
            return Block(inputNorm: b.inputNorm.watched(on: tape, name: p + "input_layernorm"),
                         qkv: b.qkv.watched(on: tape, name: p + "attention.query_key_value"),
                         dense: b.dense.watched(on: tape, name: p + "attention.dense"),
                         postAttentionNorm: b.postAttentionNorm.watched(on: tape, name: p + "post_attention_layernorm"),
                         up: b.up.watched(on: tape, name: p + "mlp.dense_h_to_4h"),
                         down: b.down.watched(on: tape, name: p + "mlp.dense_4h_to_h"), attention: b.attention)
        }
        m.finalLayerNorm = finalLayerNorm.watched(on: tape, name: "gpt_neox.final_layer_norm")
        // A tied head is the (watched) token table itself, so both uses add to one gradient.
        m.head = configuration.tieWordEmbeddings
            ? head.withParameters(weight: m.tokenTable.table, bias: nil)
            : head.watched(on: tape, name: headName)
        return m
    }
}

extension GPTNeoXModel: UnembeddingMatrixProvider {
    /// The head's weight, [vocab, hidden]; the token table when the embeddings are tied.
    public var unembeddingMatrix: Tensor { head.weight }
}
