import SwiftSightLayers

/// A candidate next token.
public struct Prediction: Sendable, Equatable {
    /// The token id.
    public let id: Int
    /// The token decoded to text.
    public let text: String
    /// Its probability under the softmax of the last position's logits.
    public let probability: Float
}

extension StandardizedTransformer {
    /// The `k` most likely next tokens after `prompt`, most likely first.
    public func predictions(for prompt: String, top k: Int) async throws -> [Prediction] {
        let logits = try await forward(try batch([prompt]))
        let last = try logits[0][logits.shape[1] - 1]
        let probabilities = Softmax.apply(last).scalars
        return probabilities.indices
            .sorted { probabilities[$0] > probabilities[$1] }
            .prefix(max(0, k))
            .map { Prediction(id: $0, text: tokenizer.decode([$0]), probability: probabilities[$0]) }
    }
}
