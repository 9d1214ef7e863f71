import SwiftSightLayers

extension GPT2Model {
    public func watchingParameters(on tape: GradientTape) -> any TransformerModel {
        func watch(_ t: Tensor, _ name: String) -> Tensor { tape.watchParameter(t, name: "transformer." + name) }
        func norm(_ n: LayerNorm, _ name: String) -> LayerNorm { n.watched(on: tape, name: "transformer." + name) }
        func linear(_ l: Linear, _ name: String) -> Linear { l.watched(on: tape, name: "transformer." + name) }
        var m = self
        m.tokenTable = Embedding(table: watch(tokenTable.table, "wte.weight"))
        m.positionTable = Embedding(table: watch(positionTable.table, "wpe.weight"))
        m.blocks = blocks.enumerated().map { i, b in
            let p = "h.\(i)."
            return Block(ln1: norm(b.ln1, p + "ln_1"), qkv: linear(b.qkv, p + "attn.c_attn"),
                         attentionOut: linear(b.attentionOut, p + "attn.c_proj"), ln2: norm(b.ln2, p + "ln_2"),
                         up: linear(b.up, p + "mlp.c_fc"), down: linear(b.down, p + "mlp.c_proj"), attention: b.attention)
        }
        m.lnFinal = norm(lnFinal, "ln_f")
        // A tied head is the (watched) token table itself, so both uses add to one gradient.
        m.head = head.withParameters(
            weight: configuration.tieWordEmbeddings ? m.tokenTable.table : tape.watchParameter(head.weight, name: "lm_head.weight"),
            bias: nil)
        return m
    }
}

extension GPT2Model: UnembeddingMatrixProvider {
    /// The head's weight, [vocab, hidden]; the token table when the embeddings are tied.
    public var unembeddingMatrix: Tensor { head.weight }
}
