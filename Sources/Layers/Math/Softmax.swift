/// Softmax over the last axis, stable (max subtracted) and vectorised.
public enum Softmax {
    /// Softmax of `count` floats in place; entries past `validCount` are set to 0. O(n).
    @inlinable
    public static func inPlace(_ p: UnsafeMutablePointer<Float>, count: Int, validCount: Int? = nil) {
        let n = validCount ?? count
        guard n > 0 else { return }
        var m = -Float.infinity
        for i in 0..<n { m = Swift.max(m, p[i]) }
        forEachLanes(p, count: n) { VectorMath.exp($0 - m) }
        var s: Float = 0
        for i in 0..<n { s += p[i] }
        let inv = 1 / s
        for i in 0..<n { p[i] *= inv }
        if n < count { (p + n).update(repeating: 0, count: count - n) }
    }

    /// Softmax over the last axis of `x`. O(n).
    public static func apply(_ x: Tensor) -> Tensor {
        var r = x
        guard let d = x.shape.last, d > 0 else { return r }
        r.withUnsafeMutableBuffer { buf in
            for row in 0..<(buf.count / d) { inPlace(buf.baseAddress! + row * d, count: d) }
        }
        return r
    }
}
