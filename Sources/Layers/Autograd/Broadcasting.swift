/// NumPy broadcasting of two shapes: axes aligned from the end, an extent of 1 (or a missing
/// axis) repeats along the other operand's extent. Nil when the shapes do not broadcast.
struct BroadcastPlan {
    /// The result's shape.
    let shape: [Int]
    /// Per result axis, each operand's element stride (0 where it repeats).
    let strides: (a: [Int], b: [Int])

    init?(_ a: [Int], _ b: [Int]) {
        let rank = Swift.max(a.count, b.count)
        let pa = [Int](repeating: 1, count: rank - a.count) + a
        let pb = [Int](repeating: 1, count: rank - b.count) + b
        var out = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            guard pa[i] == pb[i] || pa[i] == 1 || pb[i] == 1 else { return nil }
            out[i] = pa[i] == 1 ? pb[i] : pa[i]
        }
        shape = out
        strides = (Self.strides(of: pa, in: out), Self.strides(of: pb, in: out))
    }

    /// Row-major strides of `padded`, with 0 on axes where it is repeated to match `out`.
    static func strides(of padded: [Int], in out: [Int]) -> [Int] {
        var s = [Int](repeating: 0, count: padded.count)
        var step = 1
        for i in stride(from: padded.count - 1, through: 0, by: -1) {
            s[i] = padded[i] == 1 && out[i] != 1 ? 0 : step
            step *= padded[i]
        }
        return s
    }

    /// Calls `body(aOffset, bOffset, outOffset)` for every run along the last result axis, in
    /// row-major order; a run has `innerLength` elements at strides `innerStrides`.
    func forEachRun(_ body: (Int, Int, Int) -> Void) {
        let rank = shape.count
        guard rank > 0 else { body(0, 0, 0); return }
        let outer = shape.dropLast().reduce(1, *)
        guard outer > 0, innerLength > 0 else { return }
        var index = [Int](repeating: 0, count: rank - 1)
        var (ao, bo) = (0, 0)
        for run in 0..<outer {
            body(ao, bo, run * innerLength)
            // Odometer increment over the outer axes, updating offsets incrementally.
            var axis = rank - 2
            while axis >= 0 {
                index[axis] += 1
                ao += strides.a[axis]
                bo += strides.b[axis]
                if index[axis] < shape[axis] { break }
                ao -= strides.a[axis] * shape[axis]
                bo -= strides.b[axis] * shape[axis]
                index[axis] = 0
                axis -= 1
            }
        }
    }

    var innerLength: Int { shape.last ?? 1 }
    var innerStrides: (a: Int, b: Int) { (strides.a.last ?? 0, strides.b.last ?? 0) }
}

extension Tensor {
    /// `self` (a gradient of a broadcast result) summed over the axes along which an operand of
    /// `target` shape was repeated, giving the operand's gradient. O(n).
    func summed(toShape target: [Int]) -> Tensor {
        if shape == target { return self }
        // Internal: only pullbacks call this, with the shape of their operand.
        guard let plan = BroadcastPlan(target, shape), plan.shape == shape else { preconditionFailure("cannot sum \(shape) down to \(target)") }
        let (n, sa) = (plan.innerLength, plan.innerStrides.a)
        var result = Tensor.zeros(unchecked: target)
        result.withUnsafeMutableBuffer { r in
            withUnsafeBuffer { g in
                let (rp, gp) = (r.baseAddress!, g.baseAddress!)
                plan.forEachRun { ao, _, oo in
                    for j in 0..<n { rp[ao + j * sa] += gp[oo + j] }
                }
            }
        }
        return result
    }
}
