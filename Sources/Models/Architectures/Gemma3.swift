import SwiftSightCheckpoint
import SwiftSightHooks
import SwiftSightLayers

/// The fields of a Gemma 3 text `config.json` (`gemma3_text`) that shape the computation, read
/// as transformers 5.24's `Gemma3TextConfig` does (its dataclass defaults for absent keys).
///
/// Gemma 2's block (1 + w RMSNorms before and after attention and MLP, √hidden embedding scale,
/// GeGLU, `query_pre_attn_scalar`, optional soft-caps, null by default) plus per-head 1 + w
/// RMSNorms on queries and keys, sliding layers from `layer_types` (else every
/// `sliding_window_pattern`-th layer, 6 by default, is global), and one rotary embedding per
/// layer type: `rope_parameters.sliding_attention` / `.full_attention`, or the older
/// `rope_local_base_freq` (sliding) and `rope_theta` with `rope_scaling` (global).
package struct Gemma3TextConfiguration: Sendable, Equatable {
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
    /// query_pre_attn_scalar^-1/2.
    package var attentionScale: Float
    /// `attn_logit_softcapping` and `final_logit_softcapping`; nil when null or absent.
    package var attentionSoftcap: Float?, finalLogitSoftcap: Float?
    /// Which layers are sliding (`sliding_attention`) layers, one entry per layer.
    package var slidingLayers: [Bool]
    /// The sliding layers' window; nil when `sliding_window` is null (no window).
    package var window: Int?
    /// The rotary embeddings of the global (`full_attention`) and sliding layers.
    package var globalRotary: RotaryEmbedding, localRotary: RotaryEmbedding
    package var eosTokenIDs: [Int]

    /// The token embeddings' multiplier, √hidden_size rounded to Float32 as transformers'
    /// `embed_scale` buffer is.
    package var embeddingScale: Float { Float(Double(hiddenSize).squareRoot()) }

    /// Reads and checks the config; errors name the file and the key. Allocates nothing from
    /// the config's sizes (``Gemma3TextModel`` checks them against the tensors first).
    package init(_ config: JSONConfig) throws(CheckpointError) {
        let modelType = try config.string("model_type")
        guard modelType == "gemma3_text" else { throw config.unsupportedModelType(modelType, supported: ["gemma3_text"]) }
        layers = try config.positiveInt("num_hidden_layers")
        heads = try config.positiveInt("num_attention_heads")
        hiddenSize = try config.positiveInt("hidden_size")
        kvHeads = try config.positiveInt("num_key_value_heads", default: 4)
        intermediateSize = try config.positiveInt("intermediate_size")
        vocabSize = try config.positiveInt("vocab_size")
        maxPositions = try config.positiveInt("max_position_embeddings", default: 131_072)
        guard heads % kvHeads == 0 else {
            throw config.invalid("num_key_value_heads", kvHeads, "must divide num_attention_heads \(heads)")
        }
        if hiddenSize % heads != 0 {  // Gemma3TextConfig.validate_architecture refuses it
            throw config.invalid("num_attention_heads", heads, "hidden_size \(hiddenSize) is not a multiple of it")
        }
        headDim = try config.positiveInt("head_dim", default: 256)
        _ = try config.product(heads, headDim, key: "head_dim", value: headDim, "the query width num_attention_heads × head_dim")
        rmsNormEpsilon = try config.epsilon("rms_norm_eps", default: 1e-6)
        activation = try GemmaConfiguration.activation(config, gemma2: true)
        tieWordEmbeddings = try config.bool("tie_word_embeddings", default: true)
        attentionBias = try config.bool("attention_bias", default: false)
        if try config.optionalBool("use_bidirectional_attention") == true {
            throw config.invalid("use_bidirectional_attention", true, "only causal attention is supported")
        }
        let scalar = try config.positiveDouble("query_pre_attn_scalar", default: 256)
        attentionScale = Float(1 / scalar.squareRoot())
        // Absent means null here (Gemma3TextConfig's defaults), unlike Gemma 2.
        attentionSoftcap = config.keys.contains("attn_logit_softcapping")
            ? try GemmaConfiguration.softcap(config, "attn_logit_softcapping", default: 0) : nil
        finalLogitSoftcap = config.keys.contains("final_logit_softcapping")
            ? try GemmaConfiguration.softcap(config, "final_logit_softcapping", default: 0) : nil
        window = config.keys.contains("sliding_window") ? try config.optionalInt("sliding_window") : 4096
        if let window, window <= 0 { throw config.invalid("sliding_window", window, "must be positive") }
        slidingLayers = try Self.slidingLayers(config, layers: layers)
        (globalRotary, localRotary) = try Self.rotaries(config, headDim: headDim, maxPositions: maxPositions)
        // Absent: the dataclass default 1; null: none.
        eosTokenIDs = config.keys.contains("eos_token_id") ? try config.optionalInts("eos_token_id") ?? [] : [1]
    }

    /// `layer_types`, or else every `sliding_window_pattern`-th layer (6 when absent) global,
    /// as `Gemma3TextConfig.__post_init__` derives it.
    static func slidingLayers(_ config: JSONConfig, layers: Int) throws(CheckpointError) -> [Bool] {
        guard let types = try config.optionalStrings("layer_types") else {
            let pattern = try config.positiveInt("sliding_window_pattern", default: 6)
            return (0..<layers).map { ($0 + 1) % pattern != 0 }
        }
        guard types.count == layers else {
            throw config.invalid("layer_types", types.count, "needs one entry per layer (\(layers))")
        }
        return try types.map { type throws(CheckpointError) -> Bool in
            switch type {
            case "full_attention": return false
            case "sliding_attention": return true
            default: throw config.invalid("layer_types", type, "supported layer types: full_attention, sliding_attention")
            }
        }
    }

    /// The global and sliding layers' rotary embeddings: transformers 5's per-type
    /// `rope_parameters` objects (`rope_theta` 1e6 and 1e4 when absent), or the older
    /// `rope_theta` + `rope_scaling` (global) and `rope_local_base_freq` (sliding, unscaled).
    static func rotaries(_ config: JSONConfig, headDim: Int, maxPositions: Int)
        throws(CheckpointError) -> (global: RotaryEmbedding, local: RotaryEmbedding) {
        if let p = try config.optionalObject("rope_parameters") {
            guard p.keys.contains("full_attention") || p.keys.contains("sliding_attention") else {
                throw config.invalid("rope_parameters", "one object", "gemma3_text needs full_attention and sliding_attention entries")
            }
            // An entry without `rope_theta` takes the top-level key, as `setdefault` does.
            func rotary(_ type: String, topLevel: String, defaultBase: Double) throws(CheckpointError) -> RotaryEmbedding {
                let entry = try p.optionalObject(type)
                return try config.rotaryEmbedding(parameters: entry, key: "rope_parameters.\(type)",
                                                  bases: [(entry, "rope_theta"), (config, topLevel)],
                                                  defaultBase: defaultBase, headDim: headDim, maxPositions: maxPositions)
            }
            return (try rotary("full_attention", topLevel: "rope_theta", defaultBase: 1_000_000),
                    try rotary("sliding_attention", topLevel: "rope_local_base_freq", defaultBase: 10_000))
        }
        let scaling = try config.optionalObject("rope_scaling")
        let global = try config.rotaryEmbedding(parameters: scaling, key: "rope_scaling", bases: [(scaling, "rope_theta"), (config, "rope_theta")],
                                                defaultBase: 1_000_000, headDim: headDim, maxPositions: maxPositions)
        let local = try config.rotaryEmbedding(parameters: nil, key: "rope_local_base_freq", bases: [(config, "rope_local_base_freq")],
                                               defaultBase: 10_000, headDim: headDim, maxPositions: maxPositions)
        return (global, local)
    }
}

extension Gemma3TextConfiguration: ArchitectureConfiguration {}
