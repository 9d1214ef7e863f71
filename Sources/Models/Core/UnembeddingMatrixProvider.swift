import SwiftSightLayers

/// A model whose output head is one matrix, [vocab, hidden] (token j's logit is row j · x).
package protocol UnembeddingMatrixProvider: Sendable {
    /// The output head's weight, [vocab, hidden] (the token embeddings when they are tied).
    var unembeddingMatrix: Tensor { get }
}
