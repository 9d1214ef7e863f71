import SwiftSightHooks
import SwiftSightLayers

/// The result of a backward pass inside a trace.
public struct TraceGradients: Sendable {
    let gradients: Gradients
    let reads: [HookPoint: Tensor]

    /// d(scalar)/d(value) for a value read (or computed) in this trace, same shape as the value.
    public func gradient(of value: Tensor) throws -> Tensor { try gradients.gradient(of: value) }

    /// The gradient at a hook point this invoke read before the backward, [sequences, length, width].
    /// - Throws: ``TraceError/notReadBeforeBackward(_:)`` if the point was not read first.
    public func gradient(at point: HookPoint) throws -> Tensor {
        guard let value = reads[point] else { throw TraceError.notReadBeforeBackward(point) }
        return try gradients.gradient(of: value)
    }

    /// The gradient of a model parameter, by checkpoint name (traces with `gradients: .parameters`).
    public func parameter(_ name: String) throws -> Tensor { try gradients.parameterGradient(name) }

    /// Names of the parameters with gradients.
    public var parameterNames: [String] { gradients.parameterNames }
}
