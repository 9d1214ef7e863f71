import SwiftSightCheckpoint
import SwiftSightHooks
import SwiftSightLayers

/// GPT-2 (`GPT2LMHeadModel`): learned positions, pre-LayerNorm blocks, fused QKV in
/// Conv1D layout, and an output head tied to the token embeddings unless the checkpoint has
/// its own.
public struct GPT2Model: TransformerModel {
    /// One block's parameters.
    struct Block: Sendable {
        let ln1: LayerNorm, qkv: Linear, attentionOut: Linear
        let ln2: LayerNorm, up: Linear, down: Linear
        let attention: ScaledDotProductAttention
    }

    /// The module names of the Hugging Face implementation (``ModuleNaming/gpt2``).
    public static let naming = ModuleNaming.gpt2

    public let configuration: GPT2Configuration
    public let info: ModelInfo
    var tokenTable: Embedding
    var positionTable: Embedding
    var blocks: [Block]
    var lnFinal: LayerNorm
    var head: Linear

    /// Builds the model from a config and its checkpoint, checking every tensor's shape.
    ///
    /// Every matrix product's weight is packed once here for the forward kernel
    /// (``Linear/packed(_:)``), in `weightPrecision`.
    public init(configuration c: GPT2Configuration, weights: CheckpointWeights,
                weightPrecision: WeightPrecision = .float32) throws(CheckpointError) {
        let w = try GPT2Weights(weights)
        let d = c.hiddenSize
        try Self.checkAgreement(c, w)
        tokenTable = Embedding(table: try w.tensor("wte.weight", [c.vocabSize, d]))
        positionTable = Embedding(table: try w.tensor("wpe.weight", [c.maxPositions, d]))
        var blocks: [Block] = []
        for i in 0..<c.layers {
            let p = "h.\(i)."
            func norm(_ name: String) throws(CheckpointError) -> LayerNorm {
                LayerNorm(weight: try w.tensor(p + name + ".weight", [d]), bias: try w.tensor(p + name + ".bias", [d]),
                          epsilon: c.layerNormEpsilon)
            }
            func conv(_ name: String, _ inSize: Int, _ outSize: Int) throws(CheckpointError) -> Linear {
                Linear(weight: try w.tensor(p + name + ".weight", [inSize, outSize]),
                       bias: try w.tensor(p + name + ".bias", [outSize]), layout: .inputMajor).packed(weightPrecision)
            }
            var scale: Float = c.scaleAttentionWeights ? 1 / Float(d / c.heads).squareRoot() : 1
            if c.scaleAttentionByInverseLayerIndex { scale /= Float(i + 1) }
            blocks.append(Block(
                ln1: try norm("ln_1"), qkv: try conv("attn.c_attn", d, 3 * d), attentionOut: try conv("attn.c_proj", d, d),
                ln2: try norm("ln_2"), up: try conv("mlp.c_fc", d, c.innerSize), down: try conv("mlp.c_proj", c.innerSize, d),
                attention: ScaledDotProductAttention(scale: scale)))
        }
        self.blocks = blocks
        lnFinal = LayerNorm(weight: try w.tensor("ln_f.weight", [d]), bias: try w.tensor("ln_f.bias", [d]),
                            epsilon: c.layerNormEpsilon)
        let headWeight = c.tieWordEmbeddings ? tokenTable.table : try w.head([c.vocabSize, d])
        head = Linear(weight: headWeight, bias: nil, layout: .outputMajor).packed(weightPrecision)
        configuration = c
        info = ModelInfo(modelType: "gpt2", numLayers: c.layers, hiddenSize: d, numHeads: c.heads,
                         vocabSize: c.vocabSize, maxPositions: c.maxPositions, eosTokenID: c.eosTokenID,
                         naming: Self.naming)
    }

    /// The config's sizes against the tensors, before anything is built (``ConfigAgreement``).
    static func checkAgreement(_ c: GPT2Configuration, _ w: GPT2Weights) throws(CheckpointError) {
        let check = ConfigAgreement(weights: w.weights)
        let p = w.prefix
        try check.extent(p + "wte.weight", axis: 0, is: c.vocabSize, key: "vocab_size")
        try check.extent(p + "wte.weight", axis: 1, is: c.hiddenSize, key: "n_embd")
        try check.extent(p + "wpe.weight", axis: 0, is: c.maxPositions, key: "n_positions")
        try check.layers(c.layers, key: "n_layer") { p + "h.\($0).ln_1.weight" }
        try check.extent(p + "h.0.mlp.c_fc.weight", axis: 1, is: c.innerSize, key: "n_inner")
    }

    public func tokenEmbeddings(_ batch: TokenBatch) -> Tensor {
        tokenTable(batch.ids, shape: [batch.rows])
    }

    public func firstLayerInput(tokenEmbeddings: Tensor, batch: TokenBatch) -> Tensor {
        Tensor.binary(tokenEmbeddings, positionTable(batch.positions, shape: [batch.rows]), .add)
    }

    public func block(_ layer: Int, _ input: Tensor, context: BlockContext) async throws -> Tensor {
        let batch = context.batch
        let b = blocks[layer]
        let d = info.hiddenSize
        var x = input
        var attnIn = b.ln1(x)
        try await context.fire(.attentionInput(layer), &attnIn)
        let qkv = b.qkv(attnIn)
        // The fused projection's three windows, read in place.
        let inputs = AttentionInputs(queries: .init(qkv, column: 0, width: d), keys: .init(qkv, column: d, width: d),
                                     values: .init(qkv, column: 2 * d, width: d), heads: info.numHeads, kvHeads: info.numHeads)
        let attention = try await b.attention.attend(inputs, layer: layer, context: context)
        var attnOut = b.attentionOut(attention)
        try await context.fire(.attentionOutput(layer), &attnOut)
        x.add(unchecked: attnOut)
        var mlpIn = b.ln2(x)
        try await context.fire(.mlpInput(layer), &mlpIn)
        var hidden = b.up(mlpIn)
        configuration.activation.apply(&hidden)
        var mlpOut = b.down(hidden)
        try await context.fire(.mlpOutput(layer), &mlpOut)
        x.add(unchecked: mlpOut)
        precondition(x.shape == [batch.rows, d])
        return x
    }

    public func finalNorm(_ x: Tensor) -> Tensor { lnFinal(x) }

    public func unembed(_ x: Tensor) -> Tensor { head(x) }
    public func greedyTokens(_ x: Tensor) -> [Int] { head.argmaxOfRows(x) }
}
