import SwiftSightCheckpoint
import SwiftSightHooks
import SwiftSightLayers

/// The fields of a Gemma or Gemma 2 `config.json` that shape the computation.
///
/// Both are Llama-shaped blocks with Gemma's differences: RMSNorms that scale by 1 + w, token
/// embeddings multiplied by √hidden_size inside `embed_tokens`, a GeGLU MLP, an explicit
/// `head_dim` (256 when absent, as transformers' defaults), and a head tied by default.
/// Gemma 2 adds norms after attention and after the MLP, soft-capped attention scores and
/// logits, `query_pre_attn_scalar` as the score scale, and a sliding window on the layers
/// `layer_types` marks (every other layer from the first by default).
package struct GemmaConfiguration: Sendable, Equatable {
    /// `gemma` or `gemma2`.
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
    /// `attention_bias`: biases on q, k, v and o.
    package var attentionBias: Bool
    /// Multiplies the scores: head_dim^-1/2 (Gemma), query_pre_attn_scalar^-1/2 (Gemma 2).
    package var attentionScale: Float
    /// Gemma 2's `attn_logit_softcapping` and `final_logit_softcapping` (nil when null).
    package var attentionSoftcap: Float?, finalLogitSoftcap: Float?
    /// Which layers attend through a sliding window (Gemma 2), and how wide.
    package var slidingWindow: SlidingWindowLayout
    package var rotary: RotaryEmbedding
    package var eosTokenID: Int?
    package var eosTokenIDs: [Int]

    /// Gemma 2's extra norms around the sublayers.
    package var hasSublayerOutputNorms: Bool { modelType == "gemma2" }
    /// The token embeddings' multiplier, √hidden_size rounded to Float32 as transformers'
    /// `embed_scale` buffer is (a float32 tensor for float32 weights).
    package var embeddingScale: Float { Float(Double(hiddenSize).squareRoot()) }

    /// The `model_type`s read by this configuration.
    package static let modelTypes = ["gemma", "gemma2"]

    /// Reads and checks the config as transformers 5.24's `GemmaConfig` / `Gemma2Config` do
    /// (their dataclass defaults for absent keys); errors name the file and the key.
    package init(_ config: JSONConfig) throws(CheckpointError) {
        modelType = try config.string("model_type")
        guard Self.modelTypes.contains(modelType) else { throw config.unsupportedModelType(modelType, supported: Self.modelTypes) }
        let gemma2 = modelType == "gemma2"
        layers = try config.positiveInt("num_hidden_layers")
        heads = try config.positiveInt("num_attention_heads")
        hiddenSize = try config.positiveInt("hidden_size")
        kvHeads = try config.positiveInt("num_key_value_heads", default: gemma2 ? 4 : 16)
        intermediateSize = try config.positiveInt("intermediate_size")
        vocabSize = try config.positiveInt("vocab_size")
        maxPositions = try config.positiveInt("max_position_embeddings", default: 8192)
        guard heads % kvHeads == 0 else {
            throw config.invalid("num_key_value_heads", kvHeads, "must divide num_attention_heads \(heads)")
        }
        if gemma2, hiddenSize % heads != 0 {  // Gemma2Config.validate_architecture refuses it
            throw config.invalid("num_attention_heads", heads, "hidden_size \(hiddenSize) is not a multiple of it")
        }
        headDim = try config.positiveInt("head_dim", default: 256)
        _ = try config.product(heads, headDim, key: "head_dim", value: headDim, "the query width num_attention_heads × head_dim")
        rmsNormEpsilon = try config.epsilon("rms_norm_eps", default: 1e-6)
        activation = try Self.activation(config, gemma2: gemma2)
        tieWordEmbeddings = try config.bool("tie_word_embeddings", default: true)
        attentionBias = try config.bool("attention_bias", default: false)
        if try config.bool("use_bidirectional_attention", default: false) {
            throw config.invalid("use_bidirectional_attention", true, "only causal attention is supported")
        }
        if gemma2 {
            let scalar = try config.positiveDouble("query_pre_attn_scalar", default: 256)
            attentionScale = Float(1 / scalar.squareRoot())
            attentionSoftcap = try Self.softcap(config, "attn_logit_softcapping", default: 50)
            finalLogitSoftcap = try Self.softcap(config, "final_logit_softcapping", default: 30)
            slidingWindow = try Self.slidingWindow(config, layers: layers)
        } else {
            attentionScale = Float(1 / Double(headDim).squareRoot())
            (attentionSoftcap, finalLogitSoftcap, slidingWindow) = (nil, nil, .fullyCausal)
        }
        rotary = try config.rotaryEmbedding(headDim: headDim, maxPositions: maxPositions)
        // Absent: the dataclass default 1; null: none.
        eosTokenIDs = config.keys.contains("eos_token_id") ? try config.optionalInts("eos_token_id") ?? [] : [1]
        eosTokenID = eosTokenIDs.first
    }

    /// Gemma's `hidden_act` (default `gelu_pytorch_tanh`; the legacy `gelu` of the first
    /// releases means the tanh approximation, as `GemmaConfig.__post_init__` rewrites it; the
    /// `hidden_activation` key is ignored, as transformers 5 does). Gemma 2's
    /// `hidden_activation`, taken as written.
    static func activation(_ config: JSONConfig, gemma2: Bool) throws(CheckpointError) -> Activation {
        let key = gemma2 ? "hidden_activation" : "hidden_act"
        let name = try config.string(key, default: "gelu_pytorch_tanh")
        if !gemma2, name == "gelu" { return .geluPytorchTanh }
        guard let activation = Activation(configName: name) else {
            throw config.invalid(key, name, "supported: \(Activation.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return activation
    }

    /// A soft-cap: `defaultValue` when absent, none when null, else a positive finite number.
    static func softcap(_ config: JSONConfig, _ key: String, default defaultValue: Double) throws(CheckpointError) -> Float? {
        guard config.keys.contains(key) else { return Float(defaultValue) }
        guard let value = try config.optionalDouble(key) else { return nil }
        guard value.isFinite, value > 0, Float(value).isFinite, Float(value) > 0 else {
            throw config.invalid(key, value, "must be a positive number (or null for no soft-cap)")
        }
        return Float(value)
    }

    /// Gemma 2's `layer_types` (default: `sliding_attention` on even layers, `full_attention`
    /// on odd ones), the sliding layers windowed by `sliding_window` (default 4096; null leaves
    /// them fully causal, as transformers passes no window).
    static func slidingWindow(_ config: JSONConfig, layers: Int) throws(CheckpointError) -> SlidingWindowLayout {
        let window: Int? = config.keys.contains("sliding_window") ? try config.optionalInt("sliding_window") : 4096
        if let window, window <= 0 { throw config.invalid("sliding_window", window, "must be positive") }
        guard let window else { return .fullyCausal }
        guard let types = try config.optionalStrings("layer_types") else { return .alternating(window) }
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
}

extension GemmaConfiguration: ArchitectureConfiguration {}
