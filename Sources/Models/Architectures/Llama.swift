import SwiftSightCheckpoint
import SwiftSightHooks
import SwiftSightLayers

/// The fields of a Llama, Mistral or Qwen2 `config.json` that shape the computation.
///
/// The three share one block (RMSNorm, rotary attention with grouped-query heads, SwiGLU MLP);
/// they differ in data: which projections have biases (Qwen2's q/k/v always, Llama's when
/// `attention_bias`/`mlp_bias`), which layers use a sliding window (Mistral's
/// `sliding_window` on every layer; Qwen2's only with `use_sliding_window`, from
/// `max_window_layers` or `layer_types`), and their default context lengths.
package struct LlamaConfiguration: Sendable, Equatable {
    /// `llama`, `mistral`, `qwen2`, or `phi3` and `granite` (read here, built by their own
    /// architectures: ``Phi3Model``, ``GraniteModel``).
    package var modelType: String
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
    /// Biases on the q, k and v projections; on the output projection; on the MLP.
    package var qkvBias: Bool, outputBias: Bool, mlpBias: Bool
    /// Which layers attend through a sliding window, and how wide.
    package var slidingWindow: SlidingWindowLayout
    /// The sliding window of each layer, nil where attention is fully causal (one entry per
    /// layer, so O(layers)).
    package var slidingWindows: [Int?] { (0..<layers).map(slidingWindow.window(forLayer:)) }
    package var rotary: RotaryEmbedding
    package var eosTokenID: Int?
    /// Every id of `eos_token_id` (a list in Llama 3 configs).
    package var eosTokenIDs: [Int]

    /// The `model_type`s read by this configuration.
    package static let modelTypes = ["llama", "mistral", "qwen2", "phi3", "granite"]

    /// Reads and checks the config; errors name the file and the key.
    ///
    /// Nothing is allocated from the config's sizes here (the sliding windows are a rule, the
    /// rotary frequencies are computed when used); ``LlamaModel`` checks the sizes against the
    /// checkpoint's tensors before it builds anything.
    package init(_ config: JSONConfig) throws(CheckpointError) {
        modelType = try config.string("model_type")
        guard Self.modelTypes.contains(modelType) else { throw config.unsupportedModelType(modelType, supported: Self.modelTypes) }
        layers = try config.positiveInt("num_hidden_layers")
        heads = try config.positiveInt("num_attention_heads")
        hiddenSize = try config.positiveInt("hidden_size")
        kvHeads = try config.positiveInt("num_key_value_heads", default: heads)
        intermediateSize = try config.positiveInt("intermediate_size")
        vocabSize = try config.positiveInt("vocab_size")
        let defaultPositions = ["llama": 2048, "mistral": 131_072, "qwen2": 32768, "phi3": 4096, "granite": 2048][modelType] ?? 2048
        maxPositions = try config.positiveInt("max_position_embeddings", default: defaultPositions)
        guard heads % kvHeads == 0 else {
            throw config.invalid("num_key_value_heads", kvHeads, "must divide num_attention_heads \(heads)")
        }
        headDim = try config.headDim(heads: heads, hiddenSize: hiddenSize)
        rmsNormEpsilon = try config.epsilon("rms_norm_eps", default: modelType == "phi3" ? 1e-5 : 1e-6)
        activation = try config.activation("hidden_act", default: "silu")
        tieWordEmbeddings = try config.bool("tie_word_embeddings", default: false)
        let attentionBias = try config.bool("attention_bias", default: false)
        switch modelType {
        case "qwen2": (qkvBias, outputBias, mlpBias) = (true, false, false)
        case "mistral", "phi3": (qkvBias, outputBias, mlpBias) = (false, false, false)
        default: (qkvBias, outputBias, mlpBias) = (attentionBias, attentionBias, try config.bool("mlp_bias", default: false))
        }
        slidingWindow = try Self.slidingWindow(config, modelType: modelType, layers: layers)
        if modelType == "phi3" {
            try Self.checkPhi3RopeType(config)
            // The fused projections' widths: q + 2 kv <= 3 q rows, and 2 × intermediate_size.
            _ = try config.product(3, heads * headDim, key: "num_attention_heads", value: heads, "the fused qkv_proj width")
            _ = try config.product(2, intermediateSize, key: "intermediate_size", value: intermediateSize, "the fused gate_up_proj width")
        }
        rotary = try config.rotaryEmbedding(headDim: headDim, maxPositions: maxPositions)
        eosTokenIDs = try config.optionalInts("eos_token_id") ?? []
        eosTokenID = eosTokenIDs.first
    }

    /// Mistral and Phi-3: `sliding_window` on every layer. Qwen2: only with `use_sliding_window`, on the
    /// layers `layer_types` marks `sliding_attention`, or else on layers >= `max_window_layers`.
    /// Llama and Granite: none.
    static func slidingWindow(_ config: JSONConfig, modelType: String, layers: Int) throws(CheckpointError) -> SlidingWindowLayout {
        guard modelType != "llama", modelType != "granite" else { return .fullyCausal }
        guard config.contains("sliding_window") else { return .fullyCausal }
        let window = try config.positiveInt("sliding_window")
        guard modelType == "qwen2" else { return .everyLayer(window) }
        guard try config.bool("use_sliding_window", default: false) else { return .fullyCausal }
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

    /// Phi-3 accepts only the `default` and `longrope` rope types (transformers renames `su` and
    /// `yarn` to `longrope`). LongRoPE switches between short and long frequency factors by the
    /// running sequence length, which a cached generation would have to follow across steps;
    /// it is not supported, so only `default` passes. Both spellings are checked: transformers'
    /// Phi-3 config prefers `rope_scaling` when both are present.
    static func checkPhi3RopeType(_ config: JSONConfig) throws(CheckpointError) {
        for key in ["rope_scaling", "rope_parameters"] {
            guard let p = try config.optionalObject(key) else { continue }
            var type = "default"
            if let t = try p.optionalString("rope_type") { type = t } else if let t = try p.optionalString("type") { type = t }
            guard type == "default" else {
                throw config.invalid(key + ".rope_type", type, "phi3 supports the default rope type only (longrope, su and yarn are not supported)")
            }
        }
    }
}

extension LlamaConfiguration: ArchitectureConfiguration {}

/// Llama, Mistral and Qwen2 (`LlamaForCausalLM`, `MistralForCausalLM`, `Qwen2ForCausalLM`):
/// pre-RMSNorm blocks, rotary positions on queries and keys, grouped-query attention (with a
/// sliding window where configured), SwiGLU MLP, and an output head tied to the token
/// embeddings or not. Registered as `llama`, `mistral` and `qwen2`; the loaded model is a
/// ``DecoderModel``.
package enum LlamaModel: Architecture {
    /// `model.layers.3.self_attn`, `model.norm`, `lm_head`; nnsight's envoy paths are
    /// `model.model.layers.3`.
    package static let naming = ModuleNaming(
        embedTokens: "model.embed_tokens", layer: "model.layers.{i}", attention: "model.layers.{i}.self_attn",
        mlp: "model.layers.{i}.mlp", finalNorm: "model.norm", head: "lm_head")

    /// Block i's checkpoint names (without `.weight`), under its module paths.
    struct BlockNames {
        let inputNorm, q, k, v, o, postAttentionNorm, gate, up, down: String

        init(_ i: Int) {
            let (block, attention, mlp) = naming.paths(ofBlock: i)
            (inputNorm, postAttentionNorm) = (block + ".input_layernorm", block + ".post_attention_layernorm")
            (q, k, v, o) = (attention + ".q_proj", attention + ".k_proj", attention + ".v_proj", attention + ".o_proj")
            (gate, up, down) = (mlp + ".gate_proj", mlp + ".up_proj", mlp + ".down_proj")
        }
    }

    /// Builds the model, every tensor's shape checked; the rotary frequencies are computed once
    /// the tensors have confirmed `head_dim`.
    package static func model(_ c: LlamaConfiguration, weights w: CheckpointWeights,
                              precision: WeightPrecision) throws(CheckpointError) -> DecoderModel {
        let (d, hd) = (c.hiddenSize, c.headDim)
        let (qWidth, kvWidth) = (c.heads * hd, c.kvHeads * hd)  // the config checked the larger product
        try checkAgreement(c, w)
        let load = ParameterLoader(weights: w, precision: precision)
        let rotary = c.rotary.resolved()
        let tokens = try load.embedding(naming.embedTokens, rows: c.vocabSize, width: d)
        var blocks: [DecoderBlock] = []
        for i in 0..<c.layers {
            let n = BlockNames(i)
            blocks.append(DecoderBlock(
                inputNorm: try load.rmsNorm(n.inputNorm, width: d, epsilon: c.rmsNormEpsilon),
                attention: SelfAttention(
                    projections: .separate(q: try load.linear(n.q, d, qWidth, bias: c.qkvBias),
                                           k: try load.linear(n.k, d, kvWidth, bias: c.qkvBias),
                                           v: try load.linear(n.v, d, kvWidth, bias: c.qkvBias)),
                    output: try load.linear(n.o, qWidth, d, bias: c.outputBias), rotary: rotary,
                    kernel: ScaledDotProductAttention(scale: 1 / Float(hd).squareRoot(), window: c.slidingWindow.window(forLayer: i)),
                    heads: c.heads, kvHeads: c.kvHeads, headDim: hd),
                postAttentionNorm: try load.rmsNorm(n.postAttentionNorm, width: d, epsilon: c.rmsNormEpsilon),
                mlp: FeedForward(kind: .gated(gate: try load.linear(n.gate, d, c.intermediateSize, bias: c.mlpBias),
                                              up: try load.linear(n.up, d, c.intermediateSize, bias: c.mlpBias),
                                              down: try load.linear(n.down, c.intermediateSize, d, bias: c.mlpBias)),
                                 activation: c.activation),
                residual: .sequential))
        }
        let norm = try load.rmsNorm(naming.finalNorm, width: d, epsilon: c.rmsNormEpsilon)
        let head = try load.head(naming.head, vocab: c.vocabSize, width: d, tiedTo: c.tieWordEmbeddings ? tokens : nil)
        let info = ModelInfo(modelType: c.modelType, numLayers: c.layers, hiddenSize: d, numHeads: c.heads,
                             numKeyValueHeads: c.kvHeads, headDim: hd, vocabSize: c.vocabSize, maxPositions: c.maxPositions,
                             eosTokenID: c.eosTokenID, eosTokenIDs: c.eosTokenIDs, naming: naming)
        return DecoderModel(info: info, tokens: tokens, positions: nil, blocks: blocks, outputNorm: norm, head: head)
    }

    /// The config's sizes against the tensors, before anything is built (``ConfigAgreement``).
    static func checkAgreement(_ c: LlamaConfiguration, _ w: CheckpointWeights) throws(CheckpointError) {
        let check = ConfigAgreement(weights: w)
        let tokens = naming.embedTokens + ".weight"
        try check.extent(tokens, axis: 0, is: c.vocabSize, key: "vocab_size")
        try check.extent(tokens, axis: 1, is: c.hiddenSize, key: "hidden_size")
        try check.layers(c.layers, key: "num_hidden_layers") { BlockNames($0).inputNorm + ".weight" }
        let first = BlockNames(0)
        try check.extent(first.q + ".weight", axis: 0, is: c.heads * c.headDim, key: "head_dim", value: c.headDim,
                         as: "num_attention_heads × head_dim")
        try check.extent(first.k + ".weight", axis: 0, is: c.kvHeads * c.headDim, key: "num_key_value_heads",
                         value: c.kvHeads, as: "num_key_value_heads × head_dim")
        try check.extent(first.gate + ".weight", axis: 0, is: c.intermediateSize, key: "intermediate_size")
    }
}
