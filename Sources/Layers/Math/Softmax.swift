import SwiftSightCKernels

/// Softmax over the last axis, stable (max subtracted) and vectorised.
package enum Softmax {
    /// Softmax of the first `validCount` of `count` floats in place; the rest become 0. O(n).
    @inlinable
    package static func inPlace(_ p: UnsafeMutablePointer<Float>, count: Int, validCount: Int? = nil) {
        ss_softmax(p, count, validCount ?? count)
    }

    /// Softmax over the last axis of `x`. O(n). Differentiable (see ``Tensor/softmax(axis:)``).
    package static func apply(_ x: Tensor) -> Tensor {
        if x.link != nil, x.rank > 0 { return x.softmax(uncheckedAxis: x.rank - 1) }
        var r = x
        guard let d = x.shape.last, d > 0 else { return r }
        r.withUnsafeMutableBuffer { buf in
            for row in 0..<(buf.count / d) { inPlace(buf.baseAddress! + row * d, count: d) }
        }
        return r
    }
}
