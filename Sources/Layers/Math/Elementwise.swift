import CKernels

extension Tensor {
    /// Adds `other` (same shape) in place: the residual connection. O(n).
    ///
    /// When either side is tracked the sum is recorded out of place: `self` gets a new node.
    public mutating func add(_ other: Tensor) {
        precondition(shape == other.shape, "cannot add \(other.shape) to \(shape)")
        if link != nil || other.link != nil {
            self = Tensor.binary(self, other, .add)
            return
        }
        withUnsafeMutableBuffer { a in
            other.withUnsafeBuffer { b in ss_add(a.baseAddress, b.baseAddress, a.count) }
        }
    }

    /// The largest absolute difference from `other` (same shape); for tests and checks. O(n).
    public func maxAbsDifference(_ other: Tensor) -> Float {
        precondition(shape == other.shape, "cannot compare \(shape) with \(other.shape)")
        return withUnsafeBuffer { a in
            other.withUnsafeBuffer { b in
                var m: Float = 0
                for i in 0..<a.count { m = Swift.max(m, Swift.abs(a[i] - b[i])) }
                return m
            }
        }
    }
}
