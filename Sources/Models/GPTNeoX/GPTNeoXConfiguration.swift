import Checkpoint
import Layers

/// The fields of a GPT-NeoX (Pythia) `config.json` that shape the computation.
public struct GPTNeoXConfiguration: Sendable, Equatable {
    public var layers: Int
    public var heads: Int
    public var hiddenSize: Int
    public var intermediateSize: Int
    public var maxPositions: Int
    public var vocabSize: Int
    public var layerNormEpsilon: Float
    public var activation: Activation
    /// Attention and MLP both read the block input and are added together (`use_parallel_residual`).
    public var parallelResidual: Bool
    /// Biases on `query_key_value` and `dense` (`attention_bias`).
    public var attentionBias: Bool
    public var tieWordEmbeddings: Bool
    /// Rotates the first `rotary_pct` of each head (`partial_rotary_factor` in transformers 5).
    public var rotary: RotaryEmbedding
    public var eosTokenID: Int?
    /// Every id of `eos_token_id`.
    public var eosTokenIDs: [Int]

    /// Features per head.
    public var headDim: Int { hiddenSize / heads }

    /// Reads and checks the config; errors name the file and the key.
    public init(_ config: JSONConfig) throws(CheckpointError) {
        layers = try config.int("num_hidden_layers")
        heads = try config.int("num_attention_heads")
        hiddenSize = try config.int("hidden_size")
        intermediateSize = try config.int("intermediate_size")
        vocabSize = try config.int("vocab_size")
        maxPositions = try config.int("max_position_embeddings", default: 2048)
        for (key, value) in [("num_hidden_layers", layers), ("num_attention_heads", heads), ("hidden_size", hiddenSize),
                             ("intermediate_size", intermediateSize), ("vocab_size", vocabSize),
                             ("max_position_embeddings", maxPositions)] where value <= 0 {
            throw config.invalid(key, value, "must be positive")
        }
        guard hiddenSize % heads == 0 else {
            throw config.invalid("num_attention_heads", heads, "hidden_size \(hiddenSize) is not divisible by it")
        }
        layerNormEpsilon = Float(try config.double("layer_norm_eps", default: 1e-5))
        let activationName = try config.string("hidden_act", default: "gelu")
        guard let activation = Activation(configName: activationName) else {
            throw config.invalid("hidden_act", activationName, "supported: \(Activation.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self.activation = activation
        parallelResidual = try config.bool("use_parallel_residual", default: true)
        attentionBias = try config.bool("attention_bias", default: true)
        tieWordEmbeddings = try config.bool("tie_word_embeddings", default: false)
        rotary = try config.rotaryEmbedding(headDim: hiddenSize / heads, maxPositions: maxPositions, defaultPartialFactor: 0.25)
        eosTokenIDs = try config.optionalInts("eos_token_id") ?? []
        eosTokenID = eosTokenIDs.first
    }
}
