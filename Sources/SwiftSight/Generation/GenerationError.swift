/// A generation request that cannot be served, naming the value at fault.
public enum GenerationError: Error, CustomStringConvertible, Equatable {
    /// `maxNewTokens` is negative.
    case negativeMaxNewTokens(Int)
    /// A prompt plus the new tokens would not fit in the model's positions.
    case exceedsPositions(prompt: Int, promptTokens: Int, maxNewTokens: Int, maxPositions: Int)
    /// Sampling temperature <= 0 (or not finite).
    case invalidTemperature(Float)
    /// Sampling top-k below 1.
    case invalidTopK(Int)
    /// Sampling top-p outside (0, 1].
    case invalidTopP(Float)
    /// A stop token that is not an id of the vocabulary: it could never end the generation.
    case stopTokenOutOfRange(Int, vocabSize: Int)

    /// What went wrong, with the numbers.
    public var description: String {
        switch self {
        case .negativeMaxNewTokens(let n):
            "maxNewTokens is \(n); it must be 0 or more"
        case let .exceedsPositions(p, tokens, new, max):
            // maxNewTokens comes from the caller: the sum may not fit in an Int.
            "prompt \(p) has \(tokens) tokens; with \(new) new tokens (maxNewTokens) that is "
                + "\(tokens.addingReportingOverflow(new).overflow ? "more than \(Int.max)" : "\(tokens + new)") positions, "
                + "but the model has \(max) (n_positions or max_position_embeddings): ask for at most \(Swift.max(0, max - tokens)) new tokens"
        case .invalidTemperature(let t):
            "sampling temperature is \(t); it must be greater than 0"
        case .invalidTopK(let k):
            "top-k is \(k); it must be at least 1"
        case .invalidTopP(let p):
            "top-p is \(p); it must be in (0, 1]"
        case let .stopTokenOutOfRange(id, vocab):
            "stop token \(id) is not in the vocabulary (ids 0..<\(vocab)); it could never end the generation"
        }
    }
}
