import SwiftSightLayers

/// A token and a score: a probability, a similarity.
public struct TokenScore: Sendable, Equatable {
    /// The token id.
    public let id: Int
    /// The token decoded to text.
    public let text: String
    /// The score (what it is depends on the function that returned it).
    public let score: Float
}

/// Why a toolkit function could not run; the message names the value at fault.
public struct ToolkitError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What was wrong.
    public let message: String
    /// An error with this message.
    public init(_ message: String) { self.message = message }
    /// What was wrong.
    public var description: String { message }
}

extension StandardizedTransformer {
    /// Hidden states projected on the vocabulary: the final norm, then the output head, like
    /// nnterp's `project_on_vocab`. No hook fires. `hidden` is [..., hiddenSize]; the result is
    /// [..., vocabSize] logits. O(rows · hidden · vocab).
    /// - Throws: ``ToolkitError`` if the last axis is not `hiddenSize`.
    public func projectOnVocab(_ hidden: Tensor) throws -> Tensor {
        guard hidden.shape.last == hiddenSize else {
            throw ToolkitError("projectOnVocab needs [..., \(hiddenSize)] hidden states, got \(hidden.shape)")
        }
        let model = pipeline.model
        return model.unembed(model.finalNorm(hidden))
    }

    /// Next-token probabilities at the last position of each prompt, [prompts, vocab].
    public func nextTokenProbs(_ prompts: [String]) async throws -> Tensor {
        try await trace(prompts) { t in try await t.nextTokenProbs }
    }

    /// The `k` tokens whose unembedding vectors (rows of the output head) are closest to
    /// `vector` ([hiddenSize]) by cosine similarity, most similar first. No norm is applied to
    /// `vector`. O(vocab · hidden).
    /// - Throws: ``ToolkitError`` for a vector of the wrong size or an architecture without a
    ///   single unembedding matrix.
    public func topKClosestTokens(_ vector: Tensor, k: Int) throws -> [TokenScore] {
        guard vector.count == hiddenSize else {
            throw ToolkitError("topKClosestTokens needs a vector of \(hiddenSize) values, got shape \(vector.shape)")
        }
        guard let head = (pipeline.model as? any UnembeddingMatrixProvider)?.unembeddingMatrix else {
            throw ToolkitError("\(info.modelType) has no single unembedding matrix")
        }
        let d = hiddenSize
        let v = vector.scalars
        let vNorm = max(v.reduce(0) { $0 + $1 * $1 }.squareRoot(), .leastNormalMagnitude)
        let similarities: [Float] = head.withUnsafeBuffer { w in
            (0..<vocabSize).map { j in
                let row = w.baseAddress! + j * d
                var (dot, norm): (Float, Float) = (0, 0)
                for c in 0..<d { dot += row[c] * v[c]; norm += row[c] * row[c] }
                return dot / (max(norm.squareRoot(), .leastNormalMagnitude) * vNorm)
            }
        }
        return topTokens(similarities, k: k)
    }

    /// The `k` highest-scoring tokens of `scores` (one per vocabulary entry), highest first.
    func topTokens(_ scores: [Float], k: Int) -> [TokenScore] {
        scores.indices
            .sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
            .prefix(max(0, k))
            .map { TokenScore(id: $0, text: tokenizer.decode([$0]), score: scores[$0]) }
    }

    /// The `k` most likely tokens of a probability vector ([vocab]), most likely first.
    public func topTokens(of probabilities: Tensor, k: Int) -> [TokenScore] {
        topTokens(probabilities.scalars, k: k)
    }
}
