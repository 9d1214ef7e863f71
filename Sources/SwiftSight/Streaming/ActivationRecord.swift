import SwiftSightHooks
import SwiftSightLayers

/// One activation of one prompt, as a stream delivers it.
public struct ActivationRecord: Sendable {
    /// The prompt's position in the input stream (0-based).
    public let index: Int
    /// The prompt's token ids.
    public let tokens: [Int]
    /// The hook point.
    public let point: HookPoint
    /// nnsight's key for the value, e.g. `model.transformer.h.6.output`.
    public let key: String
    /// The value for this prompt alone, [tokens, width].
    public let value: Tensor
}
