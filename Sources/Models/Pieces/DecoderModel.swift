import SwiftSightLayers

/// A decoder-only transformer assembled from the pieces: what every architecture's
/// ``Architecture/model(_:weights:precision:)`` returns, and what the pipeline runs.
package struct DecoderModel: TransformerModel, UnembeddingMatrixProvider {
    package let info: ModelInfo
    var tokens: TableEmbedding
    /// Learned position embeddings added before block 0 (GPT-2); nil where positions are
    /// rotary, inside attention.
    var positions: TableEmbedding?
    /// What is added to each position id before the lookup in `positions`: OPT's table has 2
    /// rows before position 0 (`OPTLearnedPositionalEmbedding.offset`); 0 elsewhere.
    var positionOffset: Int = 0
    var blocks: [DecoderBlock]
    var outputNorm: Norm
    var head: OutputHead
    /// What the token embeddings are multiplied by before block 0 (Granite's
    /// `embedding_multiplier`); the `embed_tokens` output stays the raw lookup, as in
    /// transformers. 1 multiplies nothing.
    var embeddingScale: Float = 1
    /// What the head's output is divided by (Granite's `logits_scaling`), so the `logits`
    /// point is transformers' `.logits`. 1 divides nothing.
    var logitsDivisor: Float = 1
    /// Gemma 2's `final_logit_softcapping` c: the logits are c·tanh(head(x)/c), as in the
    /// `.logits` transformers returns (its `lm_head` module's own output is before the cap);
    /// nil elsewhere.
    var finalLogitSoftcap: Float? = nil

    package func tokenEmbeddings(_ batch: TokenBatch) -> Tensor { tokens(batch.ids) }

    package func firstLayerInput(tokenEmbeddings: Tensor, batch: TokenBatch) -> Tensor {
        let scaled = embeddingScale == 1 ? tokenEmbeddings : tokenEmbeddings * embeddingScale
        guard let positions else { return scaled }
        let ids = positionOffset == 0 ? batch.positions : batch.positions.map { $0 + positionOffset }
        return Tensor.binary(scaled, positions(ids), .add)
    }

    package func block(_ layer: Int, _ x: Tensor, context: BlockContext) async throws -> Tensor {
        try await blocks[layer](layer, x, context: context)
    }

    package func finalNorm(_ x: Tensor) -> Tensor { outputNorm(x) }
    package func unembed(_ x: Tensor) -> Tensor {
        var logits = head.linear(x)
        if logitsDivisor != 1 { logits = logits / logitsDivisor }
        guard let finalLogitSoftcap else { return logits }
        return logits.softcapped(finalLogitSoftcap)
    }

    /// The first argmax of each row's logits: without a soft-cap, of the head's output (a
    /// positive divisor picks the same token); with one, of the capped logits, where values
    /// that round to the same capped Float tie as they do in transformers.
    package func greedyTokens(_ x: Tensor) -> [Int] {
        guard finalLogitSoftcap != nil else { return head.linear.argmaxOfRows(x) }
        let logits = unembed(x)
        return logits.withUnsafeBuffer { $0.firstIndicesOfMaximum(rowWidth: logits.shape.last ?? 1) }
    }

    /// Every parameter watched under the checkpoint name it was loaded by, in load order.
    package func watchingParameters(on tape: GradientTape) -> any TransformerModel {
        var m = self
        m.tokens = tokens.watched(on: tape)
        m.positions = positions?.watched(on: tape)
        m.blocks = blocks.map { $0.watched(on: tape) }
        m.outputNorm = outputNorm.watched(on: tape)
        m.head = head.watched(on: tape, tokens: m.tokens)
        return m
    }

    /// The head's weight, [vocab, hidden]; the token table when the embeddings are tied.
    package var unembeddingMatrix: Tensor { head.linear.weight }
}
