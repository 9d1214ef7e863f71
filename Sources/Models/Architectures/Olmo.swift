import SwiftSightCheckpoint
import SwiftSightHooks
import SwiftSightLayers

/// The fields of an OLMo (1) `config.json` that shape the computation, with transformers
/// 5.24's OlmoConfig defaults. The norms have no parameters and a fixed ε of 1e-5 (OlmoLayerNorm
/// reads no config key); `head_dim` is honoured when present, as OlmoAttention's `getattr` does.
package struct OlmoConfiguration: Sendable, Equatable {
    package var layers: Int
    package var heads: Int
    package var kvHeads: Int
    package var hiddenSize: Int
    package var headDim: Int
    package var intermediateSize: Int
    package var maxPositions: Int
    package var vocabSize: Int
    package var activation: Activation
    package var tieWordEmbeddings: Bool
    /// `attention_bias`: biases on q, k, v and o.
    package var attentionBias: Bool
    /// `clip_qkv`: q, k and v clamped to ±clip after their projections; nil when null or absent.
    package var clipQKV: Float?
    package var rotary: RotaryEmbedding
    package var eosTokenIDs: [Int]

    /// OlmoLayerNorm's ε, fixed in transformers' code.
    static let normEpsilon: Float = 1e-5

    /// Reads and checks the config; errors name the file and the key. Allocates nothing from
    /// the config's sizes (``OlmoModel`` checks them against the tensors first).
    package init(_ config: JSONConfig) throws(CheckpointError) {
        let modelType = try config.string("model_type")
        guard modelType == "olmo" else { throw config.unsupportedModelType(modelType, supported: ["olmo"]) }
        layers = try config.positiveInt("num_hidden_layers")
        heads = try config.positiveInt("num_attention_heads")
        hiddenSize = try config.positiveInt("hidden_size")
        kvHeads = try config.positiveInt("num_key_value_heads", default: heads)
        intermediateSize = try config.positiveInt("intermediate_size")
        vocabSize = try config.positiveInt("vocab_size")
        maxPositions = try config.positiveInt("max_position_embeddings", default: 2048)
        guard heads % kvHeads == 0 else {
            throw config.invalid("num_key_value_heads", kvHeads, "must divide num_attention_heads \(heads)")
        }
        headDim = try config.headDim(heads: heads, hiddenSize: hiddenSize)
        activation = try config.activation("hidden_act", default: "silu")
        tieWordEmbeddings = try config.bool("tie_word_embeddings", default: false)
        attentionBias = try config.bool("attention_bias", default: false)
        if let clip = try config.optionalDouble("clip_qkv") {
            // A bound of 0 or less (or one Float cannot hold) would clamp every value to one number.
            guard clip > 0, Float(clip).isFinite else { throw config.invalid("clip_qkv", clip, "must be a finite positive number") }
            clipQKV = Float(clip)
        } else {
            clipQKV = nil
        }
        rotary = try config.rotaryEmbedding(headDim: headDim, maxPositions: maxPositions)
        // OlmoConfig's default eos_token_id is 50279; a null one means none.
        eosTokenIDs = try config.keys.contains("eos_token_id") ? config.optionalInts("eos_token_id") ?? [] : [50279]
    }
}

extension OlmoConfiguration: ArchitectureConfiguration {}

/// OLMo (`OlmoForCausalLM`): Llama's block with LayerNorms that have no parameters (no
/// `input_layernorm` or `norm` tensors in the checkpoint), q, k and v clamped to ±`clip_qkv`
/// when set, biases on all four attention projections with `attention_bias`. Registered as
/// `olmo`; the loaded model is a ``DecoderModel``.
package enum OlmoModel: Architecture {
    /// Llama's module paths (`model.layers.3.self_attn`, `model.norm`, `lm_head`).
    package static let naming = LlamaModel.naming

    /// Builds the model, every tensor's shape checked.
    package static func model(_ c: OlmoConfiguration, weights w: CheckpointWeights,
                              precision: WeightPrecision) throws(CheckpointError) -> DecoderModel {
        let (d, hd, eps) = (c.hiddenSize, c.headDim, OlmoConfiguration.normEpsilon)
        let (qWidth, kvWidth) = (c.heads * hd, c.kvHeads * hd)  // the config checked the larger product
        try checkAgreement(c, w)
        let load = ParameterLoader(weights: w, precision: precision)
        let rotary = c.rotary.resolved()
        let tokens = try load.embedding(naming.embedTokens, rows: c.vocabSize, width: d)
        var blocks: [DecoderBlock] = []
        for i in 0..<c.layers {
            let n = LlamaModel.BlockNames(i)
            blocks.append(DecoderBlock(
                inputNorm: load.layerNormWithoutParameters(n.inputNorm, width: d, epsilon: eps),
                attention: SelfAttention(
                    projections: .separate(q: try load.linear(n.q, d, qWidth, bias: c.attentionBias),
                                           k: try load.linear(n.k, d, kvWidth, bias: c.attentionBias),
                                           v: try load.linear(n.v, d, kvWidth, bias: c.attentionBias)),
                    output: try load.linear(n.o, qWidth, d, bias: c.attentionBias), rotary: rotary,
                    kernel: ScaledDotProductAttention(scale: 1 / Float(hd).squareRoot(), window: nil),
                    heads: c.heads, kvHeads: c.kvHeads, headDim: hd, clip: c.clipQKV),
                postAttentionNorm: load.layerNormWithoutParameters(n.postAttentionNorm, width: d, epsilon: eps),
                mlp: FeedForward(kind: .gated(gate: try load.linear(n.gate, d, c.intermediateSize, bias: false),
                                              up: try load.linear(n.up, d, c.intermediateSize, bias: false),
                                              down: try load.linear(n.down, c.intermediateSize, d, bias: false)),
                                 activation: c.activation),
                residual: .sequential))
        }
        let norm = load.layerNormWithoutParameters(naming.finalNorm, width: d, epsilon: eps)
        let head = try load.head(naming.head, vocab: c.vocabSize, width: d, tiedTo: c.tieWordEmbeddings ? tokens : nil)
        let info = ModelInfo(modelType: "olmo", numLayers: c.layers, hiddenSize: d, numHeads: c.heads,
                             numKeyValueHeads: c.kvHeads, headDim: hd, vocabSize: c.vocabSize, maxPositions: c.maxPositions,
                             eosTokenID: c.eosTokenIDs.first, eosTokenIDs: c.eosTokenIDs, naming: naming)
        return DecoderModel(info: info, tokens: tokens, positions: nil, blocks: blocks, outputNorm: norm, head: head)
    }

    /// The config's sizes against the tensors, before anything is built (``ConfigAgreement``);
    /// the layers are probed by `q_proj`, as the norms have no tensors.
    static func checkAgreement(_ c: OlmoConfiguration, _ w: CheckpointWeights) throws(CheckpointError) {
        let check = ConfigAgreement(weights: w)
        let tokens = naming.embedTokens + ".weight"
        try check.extent(tokens, axis: 0, is: c.vocabSize, key: "vocab_size")
        try check.extent(tokens, axis: 1, is: c.hiddenSize, key: "hidden_size")
        try check.layers(c.layers, key: "num_hidden_layers") { LlamaModel.BlockNames($0).q + ".weight" }
        let first = LlamaModel.BlockNames(0)
        try check.extent(first.q + ".weight", axis: 0, is: c.heads * c.headDim, key: "head_dim", value: c.headDim,
                         as: "num_attention_heads × head_dim")
        try check.extent(first.k + ".weight", axis: 0, is: c.kvHeads * c.headDim, key: "num_key_value_heads",
                         value: c.kvHeads, as: "num_key_value_heads × head_dim")
        try check.extent(first.gate + ".weight", axis: 0, is: c.intermediateSize, key: "intermediate_size")
    }
}
