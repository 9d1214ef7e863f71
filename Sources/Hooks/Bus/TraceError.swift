/// A rule of tracing was broken; the message names the points involved.
public enum TraceError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A point was requested after the forward pass had moved past it.
    case outOfOrder(requested: HookPoint, passed: HookPoint)
    /// A point was requested that this forward pass will never produce.
    case neverReached(HookPoint, reason: String)
    /// A per-layer point names a layer the model does not have.
    case layerOutOfRange(HookPoint, layers: Int)
    /// A replacement value has the wrong shape.
    case shapeMismatch(HookPoint, expected: [Int], got: [Int])
    /// A layer was asked to be skipped after its input had already passed.
    case skipTooLate(layer: Int, passed: HookPoint)
    /// A backward pass was asked for in a trace that does not record gradients.
    case gradientsNotRecorded
    /// The gradient of a point was asked for, but the invoke had not read the point before the backward.
    case notReadBeforeBackward(HookPoint)

    /// What went wrong, in forward-order terms.
    public var description: String {
        switch self {
        case let .outOfOrder(requested, passed):
            "out of order: \(requested) was requested after \(passed) had passed; read hook points in forward order"
        case let .neverReached(point, reason):
            "\(point) will never be reached: \(reason)"
        case let .layerOutOfRange(point, layers):
            "\(point) does not exist: the model has \(layers) layers (0...\(layers - 1))"
        case let .shapeMismatch(point, expected, got):
            "\(point) has shape \(expected), but the value written there (by set, edit or a replacement) has shape \(got); "
                + "a replacement must keep the shape"
        case let .skipTooLate(layer, passed):
            "cannot skip layer \(layer): \(passed) has already passed; ask before layers_input.\(layer)"
        case .gradientsNotRecorded:
            "this trace does not record gradients; start it with gradients: .activations (or .parameters)"
        case let .notReadBeforeBackward(point):
            "the gradient of \(point) was asked for, but this invoke did not read \(point) before the backward; "
                + "read it in the trace first, then call backward"
        }
    }
}

/// Thrown inside the forward pass when an intervention called `stop()`: the stages after the
/// current point are cancelled. Not an error for the caller.
package struct TraceStopped: Error, Sendable {
    /// The last point the forward pass produced.
    package let after: HookPoint
}

