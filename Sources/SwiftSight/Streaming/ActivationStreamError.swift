/// A stream request that cannot be run; the stream ends with it before any prompt is read.
public enum ActivationStreamError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Prompts per forward pass must be at least one (a zero or negative count used to become
    /// one silently, hiding a caller's arithmetic mistake).
    case invalidBatchSize(Int)

    public var description: String {
        switch self {
        case .invalidBatchSize(let n): "batchSize is \(n); a forward pass takes at least one prompt"
        }
    }
}
