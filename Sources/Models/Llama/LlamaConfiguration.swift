import Checkpoint
import Layers

/// The fields of a Llama, Mistral or Qwen2 `config.json` that shape the computation.
///
/// The three share one block (RMSNorm, rotary attention with grouped-query heads, SwiGLU MLP);
/// they differ in data: which projections have biases (Qwen2's q/k/v always, Llama's when
/// `attention_bias`/`mlp_bias`), which layers use a sliding window (Mistral's
/// `sliding_window` on every layer; Qwen2's only with `use_sliding_window`, from
/// `max_window_layers` or `layer_types`), and their default context lengths.
public struct LlamaConfiguration: Sendable, Equatable {
    /// `llama`, `mistral` or `qwen2`.
    public var modelType: String
    public var layers: Int
    public var heads: Int
    public var kvHeads: Int
    public var hiddenSize: Int
    public var headDim: Int
    public var intermediateSize: Int
    public var maxPositions: Int
    public var vocabSize: Int
    public var rmsNormEpsilon: Float
    public var activation: Activation
    public var tieWordEmbeddings: Bool
    /// Biases on the q, k and v projections; on the output projection; on the MLP.
    public var qkvBias: Bool, outputBias: Bool, mlpBias: Bool
    /// The sliding window of each layer, nil where attention is fully causal.
    public var slidingWindows: [Int?]
    public var rotary: RotaryEmbedding
    public var eosTokenID: Int?
    /// Every id of `eos_token_id` (a list in Llama 3 configs).
    public var eosTokenIDs: [Int]

    /// The `model_type`s read by this configuration.
    public static let modelTypes = ["llama", "mistral", "qwen2"]

    /// Reads and checks the config; errors name the file and the key.
    public init(_ config: JSONConfig) throws(CheckpointError) {
        modelType = try config.string("model_type")
        guard Self.modelTypes.contains(modelType) else { throw config.unsupportedModelType(modelType, supported: Self.modelTypes) }
        layers = try config.int("num_hidden_layers")
        heads = try config.int("num_attention_heads")
        hiddenSize = try config.int("hidden_size")
        kvHeads = try config.optionalInt("num_key_value_heads") ?? heads
        intermediateSize = try config.int("intermediate_size")
        vocabSize = try config.int("vocab_size")
        let defaultPositions = ["llama": 2048, "mistral": 131_072, "qwen2": 32768][modelType] ?? 2048
        maxPositions = try config.int("max_position_embeddings", default: defaultPositions)
        for (key, value) in [("num_hidden_layers", layers), ("num_attention_heads", heads), ("hidden_size", hiddenSize),
                             ("num_key_value_heads", kvHeads), ("intermediate_size", intermediateSize),
                             ("vocab_size", vocabSize), ("max_position_embeddings", maxPositions)] where value <= 0 {
            throw config.invalid(key, value, "must be positive")
        }
        guard heads % kvHeads == 0 else {
            throw config.invalid("num_key_value_heads", kvHeads, "must divide num_attention_heads \(heads)")
        }
        if let h = try config.optionalInt("head_dim") {
            guard h > 0 else { throw config.invalid("head_dim", h, "must be positive") }
            headDim = h
        } else {
            guard hiddenSize % heads == 0 else {
                throw config.invalid("num_attention_heads", heads, "hidden_size \(hiddenSize) is not divisible by it")
            }
            headDim = hiddenSize / heads
        }
        rmsNormEpsilon = Float(try config.double("rms_norm_eps", default: 1e-6))
        let activationName = try config.string("hidden_act", default: "silu")
        guard let activation = Activation(configName: activationName) else {
            throw config.invalid("hidden_act", activationName, "supported: \(Activation.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self.activation = activation
        tieWordEmbeddings = try config.bool("tie_word_embeddings", default: false)
        let attentionBias = try config.bool("attention_bias", default: false)
        switch modelType {
        case "qwen2": (qkvBias, outputBias, mlpBias) = (true, false, false)
        case "mistral": (qkvBias, outputBias, mlpBias) = (false, false, false)
        default: (qkvBias, outputBias, mlpBias) = (attentionBias, attentionBias, try config.bool("mlp_bias", default: false))
        }
        slidingWindows = try Self.slidingWindows(config, modelType: modelType, layers: layers)
        rotary = try config.rotaryEmbedding(headDim: headDim, maxPositions: maxPositions)
        eosTokenIDs = try config.optionalInts("eos_token_id") ?? []
        eosTokenID = eosTokenIDs.first
    }

    /// Mistral: `sliding_window` on every layer. Qwen2: only with `use_sliding_window`, on the
    /// layers `layer_types` marks `sliding_attention`, or else on layers >= `max_window_layers`.
    /// Llama: none.
    static func slidingWindows(_ config: JSONConfig, modelType: String, layers: Int) throws(CheckpointError) -> [Int?] {
        let none = [Int?](repeating: nil, count: layers)
        guard modelType != "llama" else { return none }
        guard let window = try config.optionalInt("sliding_window") else { return none }
        guard window > 0 else { throw config.invalid("sliding_window", window, "must be positive") }
        guard modelType == "qwen2" else { return Array(repeating: window, count: layers) }
        guard try config.bool("use_sliding_window", default: false) else { return none }
        if let types = try config.optionalStrings("layer_types") {
            guard types.count == layers else {
                throw config.invalid("layer_types", types.count, "needs one entry per layer (\(layers))")
            }
            return try types.map { type throws(CheckpointError) -> Int? in
                switch type {
                case "full_attention": return nil
                case "sliding_attention": return window
                default: throw config.invalid("layer_types", type, "supported layer types: full_attention, sliding_attention")
                }
            }
        }
        let first = try config.int("max_window_layers", default: 28)
        return (0..<layers).map { $0 >= first ? window : nil }
    }
}
