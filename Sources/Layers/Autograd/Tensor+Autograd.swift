import SwiftSightCKernels

extension Tensor {
    /// The node this value is on, if it is tracked.
    package var gradientNode: GradientNodeID? { link?.id }

    /// Whether this value is tracked on a ``GradientTape`` (watched, or computed from a watched value).
    ///
    /// Mutating a tracked tensor's memory through ``withUnsafeMutableBuffer(_:)`` keeps its node:
    /// for gradients the edit is the identity. ``add(_:)`` records an addition instead.
    @inlinable package var isTracked: Bool { link != nil }

    /// The same values, untracked (a constant for autodiff). O(1): the storage is shared.
    public func detached() -> Tensor {
        var t = self
        t.link = nil
        return t
    }

    /// Throws ``TensorError/differentTapes(operation:)`` if `inputs` are tracked on more than one
    /// tape: the check public operations with several operands make before ``recorded(_:from:pullback:)``,
    /// whose precondition is then an internal invariant.
    static func checkSameTape(_ inputs: [Tensor], _ operation: String) throws(TensorError) {
        var tape: GradientTape?
        for input in inputs {
            guard let t = input.link?.tape else { continue }
            if let tape, tape !== t { throw .differentTapes(operation: operation) }
            tape = t
        }
    }

    /// `result` recorded as computed from `inputs`, or `result` itself when no input is tracked.
    ///
    /// `pullback` gets the gradient of `result` and returns one gradient per input (nil for a
    /// constant input); it must capture only detached tensors, so that it records nothing.
    static func recorded(_ result: Tensor, from inputs: [Tensor], pullback: @escaping Pullback) -> Tensor {
        var tape: GradientTape?
        var ids: [Int?] = []
        ids.reserveCapacity(inputs.count)
        for input in inputs {
            if let link = input.link {
                if let tape {
                    // Public operations checked this (checkSameTape); model code mixes only its own values.
                    precondition(tape === link.tape, "an operation mixes tensors tracked on two different GradientTapes")
                } else {
                    tape = link.tape
                }
            }
            ids.append(input.link?.index)
        }
        guard let tape else { return result.detached() }
        return tape.append(result.detached(), inputs: ids, pullback: pullback)
    }

    /// Adds `other` (same shape) into this gradient buffer, untracked. O(n).
    mutating func accumulate(_ other: Tensor) {
        precondition(shape == other.shape, "cannot accumulate \(other.shape) into \(shape)")
        withUnsafeMutableBuffer { a in
            other.withUnsafeBuffer { b in ss_add(a.baseAddress, b.baseAddress, a.count) }
        }
    }
}
