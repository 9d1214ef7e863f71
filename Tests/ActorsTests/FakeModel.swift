import SwiftSightHooks
import SwiftSightLayers
import SwiftSightModels

/// A model with no weights, for running the pipeline without a checkpoint: width 1, token t
/// embeds as t, each block maps x to 2x + 1 (attention output x + 1, MLP output x), the head
/// passes values through (vocabulary 1). `block` is the only place that follows the
/// `TransformerModel` protocol's block signature.
struct FakeModel: TransformerModel {
    let layers: Int

    var info: ModelInfo {
        ModelInfo(modelType: "fake", numLayers: layers, hiddenSize: 1, numHeads: 1, vocabSize: 1, maxPositions: 64,
                  eosTokenID: nil, naming: ModuleNaming(embedTokens: "wte", layer: "h.{i}", attention: "h.{i}.attn",
                                                        mlp: "h.{i}.mlp", finalNorm: "ln_f", head: "lm_head"))
    }

    func tokenEmbeddings(_ batch: TokenBatch) -> Tensor {
        Tensor(uncheckedShape: [batch.rows, 1], values: batch.ids.map(Float.init))
    }

    func firstLayerInput(tokenEmbeddings: Tensor, batch: TokenBatch) -> Tensor { tokenEmbeddings }

    func block(_ layer: Int, _ x: Tensor, context: BlockContext) async throws -> Tensor {
        var attentionInput = x
        try await context.fire(.attentionInput(layer), &attentionInput)
        var attention = Self.map(attentionInput) { $0 + 1 }
        try await context.fire(.attentionOutput(layer), &attention)
        var mlpInput = Self.map(x) { $0 }
        try await context.fire(.mlpInput(layer), &mlpInput)
        var mlp = mlpInput
        try await context.fire(.mlpOutput(layer), &mlp)
        return Tensor(uncheckedShape: x.shape, values: zip(attention.scalars, mlp.scalars).map(+))
    }

    func finalNorm(_ x: Tensor) -> Tensor { x }
    func unembed(_ x: Tensor) -> Tensor { x }
    func greedyTokens(_ x: Tensor) -> [Int] { Array(repeating: 0, count: x.shape[0]) }
    func watchingParameters(on tape: GradientTape) -> any TransformerModel { self }

    static func map(_ t: Tensor, _ f: (Float) -> Float) -> Tensor { Tensor(uncheckedShape: t.shape, values: t.scalars.map(f)) }
}
