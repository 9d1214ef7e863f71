import SwiftSightCheckpoint
import SwiftSightLayers

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
    ///
    /// Nothing is allocated from the config's sizes here; ``GPTNeoXModel`` checks them against
    /// the checkpoint's tensors before it builds anything.
    public init(_ config: JSONConfig) throws(CheckpointError) {
        layers = try config.positiveInt("num_hidden_layers")
        heads = try config.positiveInt("num_attention_heads")
        hiddenSize = try config.positiveInt("hidden_size")
        intermediateSize = try config.positiveInt("intermediate_size")
        vocabSize = try config.positiveInt("vocab_size")
        maxPositions = try config.positiveInt("max_position_embeddings", default: 2048)
        guard hiddenSize % heads == 0 else {
            throw config.invalid("num_attention_heads", heads, "hidden_size \(hiddenSize) is not divisible by it")
        }
        layerNormEpsilon = try config.epsilon("layer_norm_eps", default: 1e-5)
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
