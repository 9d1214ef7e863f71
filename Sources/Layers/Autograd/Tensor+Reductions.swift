import Foundation

/// Sums, means and L2 norms, over everything or over some axes, differentiable.
///
/// Reductions over axes drop the reduced axes unless `keepingDims` is true (PyTorch's
/// `keepdim=False` default).
extension Tensor {
    /// `self` repeated along axes of extent 1 (or missing in front) to `target`, untracked. O(n).
    func expanded(to target: [Int]) -> Tensor {
        if shape == target { return self }
        // Internal: pullbacks expand a gradient back to their operand's shape.
        guard let plan = BroadcastPlan(shape, target), plan.shape == target else { preconditionFailure("cannot expand \(shape) to \(target)") }
        let (n, sa) = (plan.innerLength, plan.innerStrides.a)
        return Tensor(uncheckedShape: target) { out in
            withUnsafeBuffer { x in
                let (xp, op) = (x.baseAddress!, out.baseAddress!)
                plan.forEachRun { ao, _, oo in for j in 0..<n { op[oo + j] = xp[ao + j * sa] } }
            }
        }
    }

    /// The shape with the axes in `axes` set to 1, and the shape with them removed.
    /// - Throws: ``TensorError`` for an axis out of range or named twice, naming `operation`.
    func reducedShapes(_ axes: [Int], _ operation: String) throws(TensorError) -> (kept: [Int], dropped: [Int]) {
        var set = Set<Int>()
        for axis in axes { set.insert(try normalizedAxis(axis, operation)) }
        guard set.count == axes.count else { throw .repeatedAxis(operation: operation, axes: axes, shape: shape) }
        let kept = shape.enumerated().map { set.contains($0.offset) ? 1 : $0.element }
        let dropped = shape.enumerated().filter { !set.contains($0.offset) }.map(\.element)
        return (kept, dropped)
    }

    /// The sum of all elements, shape `[]` (accumulated in Double). Differentiable.
    public func sum() -> Tensor {
        let total = withUnsafeBuffer { x in x.reduce(0.0) { $0 + Double($1) } }
        let result = Tensor(uncheckedShape: [], values: [Float(total)])
        guard isTracked else { return result }
        let shape = self.shape
        return Tensor.recorded(result, from: [self]) { g in [g.expanded(to: shape)] }
    }

    /// The mean of all elements, shape `[]`. Differentiable.
    public func mean() -> Tensor { sum() / Float(count) }

    /// Sums over `axes` (negative values count from the end). Differentiable. O(n).
    /// - Throws: ``TensorError`` for an axis out of range or named twice.
    public func sum(axes: [Int], keepingDims: Bool = false) throws(TensorError) -> Tensor {
        try sum(reduced: reducedShapes(axes, "sum(axes:)"), keepingDims: keepingDims)
    }

    private func sum(reduced: (kept: [Int], dropped: [Int]), keepingDims: Bool) -> Tensor {
        let (kept, dropped) = reduced
        let summed = detached().summed(toShape: kept)
        let result = keepingDims ? summed : summed.reshaped(unchecked: dropped)
        guard isTracked else { return result }
        let shape = self.shape
        return Tensor.recorded(result, from: [self]) { g in [g.reshaped(unchecked: kept).expanded(to: shape)] }
    }

    /// Means over `axes` (negative values count from the end). Differentiable. O(n).
    /// - Throws: ``TensorError`` for an axis out of range or named twice.
    public func mean(axes: [Int], keepingDims: Bool = false) throws(TensorError) -> Tensor {
        let reduced = try reducedShapes(axes, "mean(axes:)")
        let n = reduced.kept.reduce(1, *)
        return sum(reduced: reduced, keepingDims: keepingDims) / Float(n == 0 ? 0 : count / n)
    }

    /// The L2 norm of all elements, shape `[]`. Differentiable: the gradient is g·x/‖x‖
    /// (zero where the norm is zero, as in PyTorch).
    public func norm() -> Tensor {
        let squares = withUnsafeBuffer { x in x.reduce(0.0) { $0 + Double($1) * Double($1) } }
        let result = Tensor(uncheckedShape: [], values: [Float(squares.squareRoot())])
        guard isTracked else { return result }
        let x = detached()
        return Tensor.recorded(result, from: [self]) { g in [Tensor.normPullback(g, x, result)] }
    }

    /// The L2 norm over `axis`. Differentiable. O(n).
    /// - Throws: ``TensorError/axisOutOfRange(operation:axis:shape:)``.
    public func norm(axis: Int, keepingDims: Bool = false) throws(TensorError) -> Tensor {
        let (kept, dropped) = try reducedShapes([axis], "norm(axis:)")
        let x = detached()
        let norms = Tensor.binary(x, x, .multiply).summed(toShape: kept).map { $0.squareRoot() }
        let result = keepingDims ? norms : norms.reshaped(unchecked: dropped)
        guard isTracked else { return result }
        return Tensor.recorded(result, from: [self]) { g in
            [Tensor.normPullback(g.reshaped(unchecked: kept), x, norms)]
        }
    }

    /// g·x/‖x‖ with g and the norms broadcast over `x`, 0 where the norm is 0.
    static func normPullback(_ g: Tensor, _ x: Tensor, _ norms: Tensor) -> Tensor {
        let scale = binary(g, norms, .divide).map { $0.isFinite ? $0 : 0 }
        return binary(x, scale, .multiply)
    }
}
