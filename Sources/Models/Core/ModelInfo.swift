import Hooks

/// The sizes and names every architecture reports, whatever its config calls them.
public struct ModelInfo: Sendable {
    /// The config's `model_type` (`gpt2`, ...).
    public let modelType: String
    /// Number of transformer blocks.
    public let numLayers: Int
    /// Width of the residual stream.
    public let hiddenSize: Int
    /// Attention heads per block.
    public let numHeads: Int
    /// Rows of the output head.
    public let vocabSize: Int
    /// The longest sequence the model accepts.
    public let maxPositions: Int
    /// The end-of-text token, used for padding when the tokenizer has no pad token.
    public let eosTokenID: Int?
    /// Where each hook point lives in the original module tree.
    public let naming: ModuleNaming

    /// A description of a loaded model.
    public init(modelType: String, numLayers: Int, hiddenSize: Int, numHeads: Int, vocabSize: Int,
                maxPositions: Int, eosTokenID: Int?, naming: ModuleNaming) {
        (self.modelType, self.numLayers, self.hiddenSize, self.numHeads) = (modelType, numLayers, hiddenSize, numHeads)
        (self.vocabSize, self.maxPositions, self.eosTokenID, self.naming) = (vocabSize, maxPositions, eosTokenID, naming)
    }
}
