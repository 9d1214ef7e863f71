import SwiftSightCheckpoint
import SwiftSightHooks
import SwiftSightLayers

/// GPT-NeoX / Pythia (`GPTNeoXForCausalLM`): pre-LayerNorm blocks whose attention and MLP
/// both read the block input and are added together (`use_parallel_residual`, the default) or
/// run one after the other; a fused `query_key_value` projection laid out per head
/// ([heads, 3, headDim]); partial rotary positions (`rotary_pct`); an untied head
/// (`embed_out` in the checkpoint, `lm_head` in transformers 5). Names: ``ModuleNaming/gptNeoX``.
public struct GPTNeoXModel: TransformerModel {
    /// One block's parameters.
    struct Block: Sendable {
        let inputNorm: LayerNorm, qkv: Linear, dense: Linear
        let postAttentionNorm: LayerNorm, up: Linear, down: Linear
        let attention: ScaledDotProductAttention
    }

    public let configuration: GPTNeoXConfiguration
    public let info: ModelInfo
    var tokenTable: Embedding
    /// The config's rotary embedding with its frequencies computed, once the tensors agree.
    let rotary: RotaryEmbedding
    var blocks: [Block]
    var finalLayerNorm: LayerNorm
    var head: Linear
    /// The head's checkpoint name: `embed_out` (older and transformers-saved checkpoints) or `lm_head`.
    let headName: String

    /// Builds the model from a config and its checkpoint, checking every tensor's shape.
    ///
    /// Every matrix product's weight is packed once here for the forward kernel
    /// (``Linear/packed(_:)``), in `weightPrecision`.
    public init(configuration c: GPTNeoXConfiguration, weights w: CheckpointWeights,
                weightPrecision: WeightPrecision = .float32) throws(CheckpointError) {
        let d = c.hiddenSize
        try Self.checkAgreement(c, w)
        rotary = c.rotary.resolved()
        tokenTable = Embedding(table: try w.tensor("gpt_neox.embed_in.weight", shape: [c.vocabSize, d]))
        func linear(_ name: String, _ inSize: Int, _ outSize: Int, bias: Bool = true) throws(CheckpointError) -> Linear {
            Linear(weight: try w.tensor(name + ".weight", shape: [outSize, inSize]),
                   bias: bias ? try w.tensor(name + ".bias", shape: [outSize]) : nil, layout: .outputMajor)
                .packed(weightPrecision)
        }
        func norm(_ name: String) throws(CheckpointError) -> LayerNorm {
            LayerNorm(weight: try w.tensor(name + ".weight", shape: [d]), bias: try w.tensor(name + ".bias", shape: [d]),
                      epsilon: c.layerNormEpsilon)
        }
        var blocks: [Block] = []
        for i in 0..<c.layers {
            let p = "gpt_neox.layers.\(i)."
            blocks.append(Block(
                inputNorm: try norm(p + "input_layernorm"),
                qkv: try linear(p + "attention.query_key_value", d, 3 * d, bias: c.attentionBias),
                dense: try linear(p + "attention.dense", d, d, bias: c.attentionBias),
                postAttentionNorm: try norm(p + "post_attention_layernorm"),
                up: try linear(p + "mlp.dense_h_to_4h", d, c.intermediateSize),
                down: try linear(p + "mlp.dense_4h_to_h", c.intermediateSize, d),
                attention: ScaledDotProductAttention(scale: 1 / Float(c.headDim).squareRoot())))
        }
        self.blocks = blocks
        finalLayerNorm = try norm("gpt_neox.final_layer_norm")
        headName = w.contains("embed_out.weight") || !w.contains("lm_head.weight") ? "embed_out" : "lm_head"
        let headWeight = c.tieWordEmbeddings ? tokenTable.table : try w.tensor(headName + ".weight", shape: [c.vocabSize, d])
        head = Linear(weight: headWeight, bias: nil, layout: .outputMajor).packed(weightPrecision)
        configuration = c
        info = ModelInfo(modelType: "gpt_neox", numLayers: c.layers, hiddenSize: d, numHeads: c.heads,
                         vocabSize: c.vocabSize, maxPositions: c.maxPositions, eosTokenID: c.eosTokenID,
                         eosTokenIDs: c.eosTokenIDs, naming: .gptNeoX)
    }

    /// The config's sizes against the tensors, before anything is built (``ConfigAgreement``).
    static func checkAgreement(_ c: GPTNeoXConfiguration, _ w: CheckpointWeights) throws(CheckpointError) {
        let check = ConfigAgreement(weights: w)
        try check.extent("gpt_neox.embed_in.weight", axis: 0, is: c.vocabSize, key: "vocab_size")
        try check.extent("gpt_neox.embed_in.weight", axis: 1, is: c.hiddenSize, key: "hidden_size")
        try check.layers(c.layers, key: "num_hidden_layers") { "gpt_neox.layers.\($0).input_layernorm.weight" }
        try check.extent("gpt_neox.layers.0.mlp.dense_h_to_4h.weight", axis: 0, is: c.intermediateSize, key: "intermediate_size")
    }

    public func tokenEmbeddings(_ batch: TokenBatch) -> Tensor {
        tokenTable(batch.ids, shape: [batch.rows])
    }

    /// Positions enter through the rotary embedding inside attention, so the embeddings go in as they are.
    public func firstLayerInput(tokenEmbeddings: Tensor, batch: TokenBatch) -> Tensor { tokenEmbeddings }

    public func block(_ layer: Int, _ input: Tensor, context: BlockContext) async throws -> Tensor {
        let batch = context.batch
        let b = blocks[layer]
        let c = configuration
        var attnIn = b.inputNorm(input)
        try await context.fire(.attentionInput(layer), &attnIn)
        // The fused projection is [rows, heads, 3, headDim]: pull out q, k and v for all heads.
        let (rows, d, hd) = (batch.rows, c.hiddenSize, c.headDim)
        let fused = b.qkv(attnIn).reshaped(unchecked: [rows * c.heads, 3 * hd])
        func part(_ k: Int) -> Tensor { fused.slice(uncheckedAxis: 1, range: (k * hd)..<((k + 1) * hd)).reshaped(unchecked: [rows, d]) }
        let q = rotary(part(0), positions: batch.positions, heads: c.heads)
        let k = rotary(part(1), positions: batch.positions, heads: c.heads)
        let inputs = AttentionInputs(queries: .init(q), keys: .init(k), values: .init(part(2)), heads: c.heads, kvHeads: c.heads)
        let attention = try await b.attention.attend(inputs, layer: layer, context: context)
        var attnOut = b.dense(attention)
        try await context.fire(.attentionOutput(layer), &attnOut)
        // Parallel: the MLP reads the block input; sequential: the input plus the attention output.
        var x = input
        if !c.parallelResidual { x.add(unchecked: attnOut) }
        var mlpIn = b.postAttentionNorm(x)
        try await context.fire(.mlpInput(layer), &mlpIn)
        var hidden = b.up(mlpIn)
        c.activation.apply(&hidden)
        var mlpOut = b.down(hidden)
        try await context.fire(.mlpOutput(layer), &mlpOut)
        if c.parallelResidual { x.add(unchecked: attnOut) }
        x.add(unchecked: mlpOut)
        return x
    }

    public func finalNorm(_ x: Tensor) -> Tensor { finalLayerNorm(x) }

    public func unembed(_ x: Tensor) -> Tensor { head(x) }
    public func greedyTokens(_ x: Tensor) -> [Int] { head.argmaxOfRows(x) }
}
