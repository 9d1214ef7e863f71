import Foundation

/// Sums, means and L2 norms, over everything or over some axes, differentiable.
///
/// Reductions over axes drop the reduced axes unless `keepingDims` is true (PyTorch's
/// `keepdim=False` default).
extension Tensor {
    /// `self` repeated along axes of extent 1 (or missing in front) to `target`, untracked. O(n).
    func expanded(to target: [Int]) -> Tensor {
        if shape == target { return self }
        let plan = BroadcastPlan(shape, target)
        precondition(plan.shape == target, "cannot expand \(shape) to \(target)")
        let (n, sa) = (plan.innerLength, plan.innerStrides.a)
        return Tensor(uninitializedShape: target) { out in
            withUnsafeBuffer { x in
                let (xp, op) = (x.baseAddress!, out.baseAddress!)
                plan.forEachRun { ao, _, oo in for j in 0..<n { op[oo + j] = xp[ao + j * sa] } }
            }
        }
    }

    /// The shape with the axes in `axes` set to 1, and the shape with them removed.
    func reducedShapes(_ axes: [Int]) -> (kept: [Int], dropped: [Int]) {
        let set = Set(axes.map(normalizedAxis))
        precondition(set.count == axes.count, "repeated axis in \(axes) for shape \(shape)")
        let kept = shape.enumerated().map { set.contains($0.offset) ? 1 : $0.element }
        let dropped = shape.enumerated().filter { !set.contains($0.offset) }.map(\.element)
        return (kept, dropped)
    }

    /// The sum of all elements, shape `[]` (accumulated in Double). Differentiable.
    public func sum() -> Tensor {
        let total = withUnsafeBuffer { x in x.reduce(0.0) { $0 + Double($1) } }
        let result = Tensor(shape: [], values: [Float(total)])
        guard isTracked else { return result }
        let shape = self.shape
        return Tensor.recorded(result, from: [self]) { g in [g.expanded(to: shape)] }
    }

    /// The mean of all elements, shape `[]`. Differentiable.
    public func mean() -> Tensor { sum() / Float(count) }

    /// Sums over `axes` (negative values count from the end). Differentiable. O(n).
    public func sum(axes: [Int], keepingDims: Bool = false) -> Tensor {
        let (kept, dropped) = reducedShapes(axes)
        let summed = detached().summed(toShape: kept)
        let result = keepingDims ? summed : summed.reshaped(dropped)
        guard isTracked else { return result }
        let shape = self.shape
        return Tensor.recorded(result, from: [self]) { g in [g.reshaped(kept).expanded(to: shape)] }
    }

    /// Means over `axes` (negative values count from the end). Differentiable. O(n).
    public func mean(axes: [Int], keepingDims: Bool = false) -> Tensor {
        let n = reducedShapes(axes).kept.reduce(1, *)
        return sum(axes: axes, keepingDims: keepingDims) / Float(n == 0 ? 0 : count / n)
    }

    /// The L2 norm of all elements, shape `[]`. Differentiable: the gradient is g·x/‖x‖
    /// (zero where the norm is zero, as in PyTorch).
    public func norm() -> Tensor {
        let squares = withUnsafeBuffer { x in x.reduce(0.0) { $0 + Double($1) * Double($1) } }
        let result = Tensor(shape: [], values: [Float(squares.squareRoot())])
        guard isTracked else { return result }
        let x = detached()
        return Tensor.recorded(result, from: [self]) { g in [Tensor.normPullback(g, x, result)] }
    }

    /// The L2 norm over `axis`. Differentiable. O(n).
    public func norm(axis: Int, keepingDims: Bool = false) -> Tensor {
        let (kept, dropped) = reducedShapes([axis])
        let x = detached()
        let norms = (x * x).summed(toShape: kept).map { $0.squareRoot() }
        let result = keepingDims ? norms : norms.reshaped(dropped)
        guard isTracked else { return result }
        return Tensor.recorded(result, from: [self]) { g in
            [Tensor.normPullback(g.reshaped(kept), x, norms)]
        }
    }

    /// g·x/‖x‖ with g and the norms broadcast over `x`, 0 where the norm is 0.
    static func normPullback(_ g: Tensor, _ x: Tensor, _ norms: Tensor) -> Tensor {
        let scale = elementwise(g, norms, .divide).map { $0.isFinite ? $0 : 0 }
        return x * scale
    }
}
