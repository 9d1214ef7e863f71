import Checkpoint
import Layers

/// The fields of a Hugging Face GPT-2 `config.json` that shape the computation.
public struct GPT2Configuration: Sendable, Equatable {
    public var layers: Int
    public var heads: Int
    public var hiddenSize: Int
    public var innerSize: Int
    public var maxPositions: Int
    public var vocabSize: Int
    public var layerNormEpsilon: Float
    public var activation: Activation
    public var scaleAttentionWeights: Bool
    public var scaleAttentionByInverseLayerIndex: Bool
    public var tieWordEmbeddings: Bool
    public var eosTokenID: Int?

    /// Reads and checks a GPT-2 config; errors name the file and the key.
    public init(_ config: JSONConfig) throws(CheckpointError) {
        layers = try config.int("n_layer")
        heads = try config.int("n_head")
        hiddenSize = try config.int("n_embd")
        innerSize = try config.optionalInt("n_inner") ?? 4 * hiddenSize
        maxPositions = try config.int(anyOf: ["n_positions", "n_ctx"])
        vocabSize = try config.int("vocab_size")
        let epsilon = try config.double("layer_norm_epsilon", default: 1e-5)
        layerNormEpsilon = Float(epsilon)
        let activationName = try config.string("activation_function", default: "gelu_new")
        guard let activation = Activation(configName: activationName) else {
            throw config.invalid("activation_function", activationName,
                                 "supported: \(Activation.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self.activation = activation
        scaleAttentionWeights = try config.bool("scale_attn_weights", default: true)
        scaleAttentionByInverseLayerIndex = try config.bool("scale_attn_by_inverse_layer_idx", default: false)
        tieWordEmbeddings = try config.bool("tie_word_embeddings", default: true)
        eosTokenID = try config.optionalInt("eos_token_id")
        for (key, value) in [("n_layer", layers), ("n_head", heads), ("n_embd", hiddenSize), ("n_inner", innerSize),
                             ("n_positions", maxPositions), ("vocab_size", vocabSize)] where value <= 0 {
            throw config.invalid(key, String(value), "must be positive")
        }
        if hiddenSize % heads != 0 {
            throw config.invalid("n_head", String(heads), "n_embd \(hiddenSize) is not divisible by it")
        }
    }
}
