import SwiftSightCheckpoint
import SwiftSightLayers

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
    ///
    /// Every size must be positive and every product of sizes fit in `Int`; nothing here is
    /// allocated from the config. Whether the checkpoint's tensors have these sizes is checked
    /// by ``GPT2Model/init(configuration:weights:weightPrecision:)`` before it builds anything.
    public init(_ config: JSONConfig) throws(CheckpointError) {
        layers = try config.positiveInt("n_layer")
        heads = try config.positiveInt("n_head")
        hiddenSize = try config.positiveInt("n_embd")
        // transformers: n_inner or 4 * n_embd; the product is checked, never trapped on.
        innerSize = config.contains("n_inner") ? try config.positiveInt("n_inner")
            : try config.product(4, hiddenSize, key: "n_embd", value: hiddenSize, "the MLP width 4 × n_embd")
        maxPositions = try config.positiveInt(anyOf: ["n_positions", "n_ctx"])
        vocabSize = try config.positiveInt("vocab_size")
        guard hiddenSize % heads == 0 else {
            throw config.invalid("n_head", String(heads), "n_embd \(hiddenSize) is not divisible by it")
        }
        layerNormEpsilon = try config.epsilon("layer_norm_epsilon", default: 1e-5)
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
    }
}
