import CKernels

extension Tensor {
    /// Adds `other` (same shape) in place: the residual connection. O(n).
    public mutating func add(_ other: Tensor) {
        precondition(shape == other.shape, "cannot add \(other.shape) to \(shape)")
        withUnsafeMutableBuffer { a in
            other.withUnsafeBuffer { b in ss_add(a.baseAddress, b.baseAddress, a.count) }
        }
    }

    /// `self + other` for tensors of one shape. O(n).
    public static func + (lhs: Tensor, rhs: Tensor) -> Tensor {
        var r = lhs
        r.add(rhs)
        return r
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
