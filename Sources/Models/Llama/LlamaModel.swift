import SwiftSightCheckpoint
import SwiftSightHooks
import SwiftSightLayers

/// Llama, Mistral and Qwen2 (`LlamaForCausalLM`, `MistralForCausalLM`, `Qwen2ForCausalLM`):
/// pre-RMSNorm blocks, rotary positions on queries and keys, grouped-query attention (with a
/// sliding window where configured), SwiGLU MLP, and an output head tied to the token
/// embeddings or not. Module names: ``ModuleNaming/llama``.
public struct LlamaModel: TransformerModel {
    /// One block's parameters.
    struct Block: Sendable {
        let inputNorm: RMSNorm, q: Linear, k: Linear, v: Linear, o: Linear
        let postAttentionNorm: RMSNorm, gate: Linear, up: Linear, down: Linear
        let attention: ScaledDotProductAttention
    }

    public let configuration: LlamaConfiguration
    public let info: ModelInfo
    var tokenTable: Embedding
    /// The config's rotary embedding with its frequencies computed, once the tensors agree.
    let rotary: RotaryEmbedding
    var blocks: [Block]
    var norm: RMSNorm
    var head: Linear

    /// Builds the model from a config and its checkpoint, checking every tensor's shape.
    ///
    /// Every matrix product's weight is packed once here for the forward kernel
    /// (``Linear/packed(_:)``), in `weightPrecision`.
    public init(configuration c: LlamaConfiguration, weights w: CheckpointWeights,
                weightPrecision: WeightPrecision = .float32) throws(CheckpointError) {
        let (d, hd) = (c.hiddenSize, c.headDim)
        let (qWidth, kvWidth) = (c.heads * hd, c.kvHeads * hd)  // the config checked the larger product
        try Self.checkAgreement(c, w)
        rotary = c.rotary.resolved()
        tokenTable = Embedding(table: try w.tensor("model.embed_tokens.weight", shape: [c.vocabSize, d]))
        var blocks: [Block] = []
        for i in 0..<c.layers {
            let p = "model.layers.\(i)."
            func linear(_ name: String, _ inSize: Int, _ outSize: Int, bias: Bool) throws(CheckpointError) -> Linear {
                Linear(weight: try w.tensor(p + name + ".weight", shape: [outSize, inSize]),
                       bias: bias ? try w.tensor(p + name + ".bias", shape: [outSize]) : nil, layout: .outputMajor)
                    .packed(weightPrecision)
            }
            func norm(_ name: String) throws(CheckpointError) -> RMSNorm {
                RMSNorm(weight: try w.tensor(p + name + ".weight", shape: [d]), epsilon: c.rmsNormEpsilon)
            }
            blocks.append(Block(
                inputNorm: try norm("input_layernorm"),
                q: try linear("self_attn.q_proj", d, qWidth, bias: c.qkvBias),
                k: try linear("self_attn.k_proj", d, kvWidth, bias: c.qkvBias),
                v: try linear("self_attn.v_proj", d, kvWidth, bias: c.qkvBias),
                o: try linear("self_attn.o_proj", qWidth, d, bias: c.outputBias),
                postAttentionNorm: try norm("post_attention_layernorm"),
                gate: try linear("mlp.gate_proj", d, c.intermediateSize, bias: c.mlpBias),
                up: try linear("mlp.up_proj", d, c.intermediateSize, bias: c.mlpBias),
                down: try linear("mlp.down_proj", c.intermediateSize, d, bias: c.mlpBias),
                attention: ScaledDotProductAttention(scale: 1 / Float(hd).squareRoot(), window: c.slidingWindow.window(forLayer: i))))
        }
        self.blocks = blocks
        norm = RMSNorm(weight: try w.tensor("model.norm.weight", shape: [d]), epsilon: c.rmsNormEpsilon)
        let headWeight = c.tieWordEmbeddings ? tokenTable.table : try w.tensor("lm_head.weight", shape: [c.vocabSize, d])
        head = Linear(weight: headWeight, bias: nil, layout: .outputMajor).packed(weightPrecision)
        configuration = c
        info = ModelInfo(modelType: c.modelType, numLayers: c.layers, hiddenSize: d, numHeads: c.heads,
                         numKeyValueHeads: c.kvHeads, headDim: hd, vocabSize: c.vocabSize, maxPositions: c.maxPositions,
                         eosTokenID: c.eosTokenID, eosTokenIDs: c.eosTokenIDs, naming: .llama)
    }

    /// The config's sizes against the tensors, before anything is built (``ConfigAgreement``).
    static func checkAgreement(_ c: LlamaConfiguration, _ w: CheckpointWeights) throws(CheckpointError) {
        let check = ConfigAgreement(weights: w)
        try check.extent("model.embed_tokens.weight", axis: 0, is: c.vocabSize, key: "vocab_size")
        try check.extent("model.embed_tokens.weight", axis: 1, is: c.hiddenSize, key: "hidden_size")
        try check.layers(c.layers, key: "num_hidden_layers") { "model.layers.\($0).input_layernorm.weight" }
        let p = "model.layers.0."
        try check.extent(p + "self_attn.q_proj.weight", axis: 0, is: c.heads * c.headDim, key: "head_dim", value: c.headDim,
                         as: "num_attention_heads × head_dim")
        try check.extent(p + "self_attn.k_proj.weight", axis: 0, is: c.kvHeads * c.headDim, key: "num_key_value_heads",
                         value: c.kvHeads, as: "num_key_value_heads × head_dim")
        try check.extent(p + "mlp.gate_proj.weight", axis: 0, is: c.intermediateSize, key: "intermediate_size")
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
        var x = input
        var attnIn = b.inputNorm(x)
        try await context.fire(.attentionInput(layer), &attnIn)
        let q = rotary(b.q(attnIn), positions: batch.positions, heads: c.heads)
        let k = rotary(b.k(attnIn), positions: batch.positions, heads: c.kvHeads)
        let inputs = AttentionInputs(queries: .init(q), keys: .init(k), values: .init(b.v(attnIn)), heads: c.heads, kvHeads: c.kvHeads)
        let attention = try await b.attention.attend(inputs, layer: layer, context: context)
        var attnOut = b.o(attention)
        try await context.fire(.attentionOutput(layer), &attnOut)
        x.add(unchecked: attnOut)
        var mlpIn = b.postAttentionNorm(x)
        try await context.fire(.mlpInput(layer), &mlpIn)
        var gate = b.gate(mlpIn)
        c.activation.apply(&gate)
        var mlpOut = b.down(Tensor.binary(gate, b.up(mlpIn), .multiply))
        try await context.fire(.mlpOutput(layer), &mlpOut)
        x.add(unchecked: mlpOut)
        return x
    }

    public func finalNorm(_ x: Tensor) -> Tensor { norm(x) }

    public func unembed(_ x: Tensor) -> Tensor { head(x) }
    public func greedyTokens(_ x: Tensor) -> [Int] { head.argmaxOfRows(x) }
}
