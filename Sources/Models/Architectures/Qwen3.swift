import SwiftSightCheckpoint
import SwiftSightHooks
import SwiftSightLayers

/// The fields of a Qwen3 `config.json` that shape the computation: Llama's, plus per-head
/// RMSNorms on queries and keys, with transformers 5.24's Qwen3 defaults (`head_dim` 128 when
/// absent rather than hidden / heads, `attention_bias` on all four attention projections, no
/// MLP bias, Qwen2's sliding-window options).
package struct Qwen3Configuration: Sendable, Equatable {
    package var layers: Int
    package var heads: Int
    package var kvHeads: Int
    package var hiddenSize: Int
    package var headDim: Int
    package var intermediateSize: Int
    package var maxPositions: Int
    package var vocabSize: Int
    package var rmsNormEpsilon: Float
    package var activation: Activation
    package var tieWordEmbeddings: Bool
    /// `attention_bias`: biases on q, k, v and o.
    package var attentionBias: Bool
    /// Which layers attend through a sliding window, and how wide.
    package var slidingWindow: SlidingWindowLayout
    package var rotary: RotaryEmbedding
    package var eosTokenIDs: [Int]

    /// Reads and checks the config; errors name the file and the key. Allocates nothing from
    /// the config's sizes (``Qwen3Model`` checks them against the tensors first).
    package init(_ config: JSONConfig) throws(CheckpointError) {
        let modelType = try config.string("model_type")
        guard modelType == "qwen3" else { throw config.unsupportedModelType(modelType, supported: ["qwen3"]) }
        layers = try config.positiveInt("num_hidden_layers")
        heads = try config.positiveInt("num_attention_heads")
        hiddenSize = try config.positiveInt("hidden_size")
        kvHeads = try config.positiveInt("num_key_value_heads", default: heads)
        intermediateSize = try config.positiveInt("intermediate_size")
        vocabSize = try config.positiveInt("vocab_size")
        maxPositions = try config.positiveInt("max_position_embeddings", default: 32768)
        guard heads % kvHeads == 0 else {
            throw config.invalid("num_key_value_heads", kvHeads, "must divide num_attention_heads \(heads)")
        }
        headDim = try config.positiveInt("head_dim", default: 128)  // Qwen3Config's default, not hidden / heads
        _ = try config.product(heads, headDim, key: "head_dim", value: headDim, "the query width num_attention_heads × head_dim")
        rmsNormEpsilon = try config.epsilon("rms_norm_eps", default: 1e-6)
        activation = try config.activation("hidden_act", default: "silu")
        tieWordEmbeddings = try config.bool("tie_word_embeddings", default: false)
        attentionBias = try config.bool("attention_bias", default: false)
        slidingWindow = try Self.slidingWindow(config, layers: layers)
        rotary = try config.rotaryEmbedding(headDim: headDim, maxPositions: maxPositions)
        eosTokenIDs = try config.optionalInts("eos_token_id") ?? []
    }

    /// As transformers' Qwen3Config: windows only with `use_sliding_window` (`sliding_window`
    /// 4096 when absent, none when null), on the layers `layer_types` marks
    /// `sliding_attention`, or else on layers >= `max_window_layers` (28 when absent).
    static func slidingWindow(_ config: JSONConfig, layers: Int) throws(CheckpointError) -> SlidingWindowLayout {
        guard try config.bool("use_sliding_window", default: false) else { return .fullyCausal }
        let window: Int
        if config.contains("sliding_window") {
            window = try config.positiveInt("sliding_window")
        } else if config.keys.contains("sliding_window") {
            return .fullyCausal  // null: no window on any layer, whatever layer_types says
        } else {
            window = 4096
        }
        if let types = try config.optionalStrings("layer_types") {
            guard types.count == layers else {
                throw config.invalid("layer_types", types.count, "needs one entry per layer (\(layers))")
            }
            return .perLayer(try types.map { type throws(CheckpointError) -> Int? in
                switch type {
                case "full_attention": return nil
                case "sliding_attention": return window
                default: throw config.invalid("layer_types", type, "supported layer types: full_attention, sliding_attention")
                }
            })
        }
        return .fromLayer(try config.int("max_window_layers", default: 28), window: window)
    }
}

extension Qwen3Configuration: ArchitectureConfiguration {}

/// Qwen3 (`Qwen3ForCausalLM`): Llama's block with an RMSNorm over each head of the queries
/// and keys (`self_attn.q_norm`, `self_attn.k_norm`, `head_dim` wide) before the rotary
/// embedding. Registered as `qwen3`; the loaded model is a ``DecoderModel``.
package enum Qwen3Model: Architecture {
    /// Llama's module paths (`model.layers.3.self_attn`, `model.norm`, `lm_head`).
    package static let naming = LlamaModel.naming

    /// Block i's checkpoint names (without `.weight`): Llama's, plus the q/k norms.
    struct BlockNames {
        let llama: LlamaModel.BlockNames
        let qNorm, kNorm: String

        init(_ i: Int) {
            llama = LlamaModel.BlockNames(i)
            let attention = naming.paths(ofBlock: i).attention
            (qNorm, kNorm) = (attention + ".q_norm", attention + ".k_norm")
        }
    }

    /// Builds the model, every tensor's shape checked.
    package static func model(_ c: Qwen3Configuration, weights w: CheckpointWeights,
                              precision: WeightPrecision) throws(CheckpointError) -> DecoderModel {
        let (d, hd, eps) = (c.hiddenSize, c.headDim, c.rmsNormEpsilon)
        let (qWidth, kvWidth) = (c.heads * hd, c.kvHeads * hd)  // the config checked the larger product
        try checkAgreement(c, w)
        let load = ParameterLoader(weights: w, precision: precision)
        let rotary = c.rotary.resolved()
        let tokens = try load.embedding(naming.embedTokens, rows: c.vocabSize, width: d)
        var blocks: [DecoderBlock] = []
        for i in 0..<c.layers {
            let names = BlockNames(i)
            let n = names.llama
            blocks.append(DecoderBlock(
                inputNorm: try load.rmsNorm(n.inputNorm, width: d, epsilon: eps),
                attention: SelfAttention(
                    projections: .separate(q: try load.linear(n.q, d, qWidth, bias: c.attentionBias),
                                           k: try load.linear(n.k, d, kvWidth, bias: c.attentionBias),
                                           v: try load.linear(n.v, d, kvWidth, bias: c.attentionBias)),
                    output: try load.linear(n.o, qWidth, d, bias: c.attentionBias), rotary: rotary,
                    kernel: ScaledDotProductAttention(scale: 1 / Float(hd).squareRoot(), window: c.slidingWindow.window(forLayer: i)),
                    heads: c.heads, kvHeads: c.kvHeads, headDim: hd,
                    queryNorm: try load.rmsNorm(names.qNorm, width: hd, epsilon: eps),
                    keyNorm: try load.rmsNorm(names.kNorm, width: hd, epsilon: eps)),
                postAttentionNorm: try load.rmsNorm(n.postAttentionNorm, width: d, epsilon: eps),
                mlp: FeedForward(kind: .gated(gate: try load.linear(n.gate, d, c.intermediateSize, bias: false),
                                              up: try load.linear(n.up, d, c.intermediateSize, bias: false),
                                              down: try load.linear(n.down, c.intermediateSize, d, bias: false)),
                                 activation: c.activation),
                residual: .sequential))
        }
        let norm = try load.rmsNorm(naming.finalNorm, width: d, epsilon: eps)
        let head = try load.head(naming.head, vocab: c.vocabSize, width: d, tiedTo: c.tieWordEmbeddings ? tokens : nil)
        let info = ModelInfo(modelType: "qwen3", numLayers: c.layers, hiddenSize: d, numHeads: c.heads,
                             numKeyValueHeads: c.kvHeads, headDim: hd, vocabSize: c.vocabSize, maxPositions: c.maxPositions,
                             eosTokenID: c.eosTokenIDs.first, eosTokenIDs: c.eosTokenIDs, naming: naming)
        return DecoderModel(info: info, tokens: tokens, positions: nil, blocks: blocks, outputNorm: norm, head: head)
    }

    /// The config's sizes against the tensors, before anything is built (``ConfigAgreement``).
    static func checkAgreement(_ c: Qwen3Configuration, _ w: CheckpointWeights) throws(CheckpointError) {
        let check = ConfigAgreement(weights: w)
        let tokens = naming.embedTokens + ".weight"
        try check.extent(tokens, axis: 0, is: c.vocabSize, key: "vocab_size")
        try check.extent(tokens, axis: 1, is: c.hiddenSize, key: "hidden_size")
        try check.layers(c.layers, key: "num_hidden_layers") { BlockNames($0).llama.inputNorm + ".weight" }
        let first = BlockNames(0)
        try check.extent(first.qNorm + ".weight", axis: 0, is: c.headDim, key: "head_dim")
        try check.extent(first.llama.q + ".weight", axis: 0, is: c.heads * c.headDim, key: "num_attention_heads",
                         value: c.heads, as: "num_attention_heads × head_dim")
        try check.extent(first.llama.k + ".weight", axis: 0, is: c.kvHeads * c.headDim, key: "num_key_value_heads",
                         value: c.kvHeads, as: "num_key_value_heads × head_dim")
        try check.extent(first.llama.gate + ".weight", axis: 0, is: c.intermediateSize, key: "intermediate_size")
    }
}
