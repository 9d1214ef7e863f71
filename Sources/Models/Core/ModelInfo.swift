import SwiftSightHooks

/// The sizes and names every architecture reports, whatever its config calls them.
public struct ModelInfo: Sendable {
    /// The config's `model_type` (`gpt2`, ...).
    public let modelType: String
    /// Number of transformer blocks.
    public let numLayers: Int
    /// Width of the residual stream.
    public let hiddenSize: Int
    /// Attention (query) heads per block.
    public let numHeads: Int
    /// Key/value heads per block (fewer than ``numHeads`` with grouped-query attention).
    public let numKeyValueHeads: Int
    /// Features per attention head.
    public let headDim: Int
    /// Rows of the output head.
    public let vocabSize: Int
    /// The longest sequence the model accepts.
    public let maxPositions: Int
    /// The end-of-text token, used for padding when the tokenizer has no pad token.
    public let eosTokenID: Int?
    /// Every end-of-sequence token of the config (Llama 3 lists several); generation stops at
    /// any of them. `[eosTokenID]` when the config has one.
    public let eosTokenIDs: [Int]
    /// Where each hook point lives in the original module tree.
    public let naming: ModuleNaming

    /// Width of one position's cached keys (or values): key/value heads · head size.
    public var keyValueWidth: Int { numKeyValueHeads * headDim }

    /// A description of a loaded model. `numKeyValueHeads` defaults to `numHeads`, `headDim` to
    /// `hiddenSize / numHeads`.
    public init(modelType: String, numLayers: Int, hiddenSize: Int, numHeads: Int, numKeyValueHeads: Int? = nil,
                headDim: Int? = nil, vocabSize: Int, maxPositions: Int, eosTokenID: Int?, eosTokenIDs: [Int]? = nil,
                naming: ModuleNaming) {
        (self.modelType, self.numLayers, self.hiddenSize, self.numHeads) = (modelType, numLayers, hiddenSize, numHeads)
        (self.numKeyValueHeads, self.headDim) = (numKeyValueHeads ?? numHeads, headDim ?? hiddenSize / max(numHeads, 1))
        (self.vocabSize, self.maxPositions, self.eosTokenID, self.naming) = (vocabSize, maxPositions, eosTokenID, naming)
        self.eosTokenIDs = eosTokenIDs ?? eosTokenID.map { [$0] } ?? []
    }
}
