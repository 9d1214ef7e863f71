import SwiftSightCKernels

extension Tensor {
    /// Adds `other` (same shape) in place: the residual connection. O(n).
    ///
    /// When either side is tracked the sum is recorded out of place: `self` gets a new node.
    /// - Throws: ``TensorError/shapeMismatch(operation:shapes:requirement:)`` unless the shapes are
    ///   equal (use `+` to broadcast); ``TensorError/differentTapes(operation:)``.
    package mutating func add(_ other: Tensor) throws(TensorError) {
        guard shape == other.shape else {
            throw .shapeMismatch(operation: "add", shapes: [shape, other.shape], requirement: "add needs the same shape (use + to broadcast)")
        }
        if isTracked && other.isTracked { try Tensor.checkSameTape([self, other], "add") }
        add(unchecked: other)
    }

    /// ``add(_:)`` of a value of the same shape, on the same tape, by construction (the model's
    /// residual connections).
    package mutating func add(unchecked other: Tensor) {
        if link != nil || other.link != nil {
            self = Tensor.binary(self, other, .add)
            return
        }
        withUnsafeMutableBuffer { a in
            other.withUnsafeBuffer { b in ss_add(a.baseAddress, b.baseAddress, a.count) }
        }
    }

    /// The largest absolute difference from `other` (same shape); for tests and checks. O(n).
    /// - Throws: ``TensorError/shapeMismatch(operation:shapes:requirement:)`` unless the shapes are equal.
    @_spi(Testing) public func maxAbsDifference(_ other: Tensor) throws(TensorError) -> Float {
        guard shape == other.shape else {
            throw .shapeMismatch(operation: "maxAbsDifference", shapes: [shape, other.shape], requirement: "the same shape")
        }
        return withUnsafeBuffer { a in
            other.withUnsafeBuffer { b in
                var m: Float = 0
                for i in 0..<a.count { m = Swift.max(m, Swift.abs(a[i] - b[i])) }
                return m
            }
        }
    }
}
