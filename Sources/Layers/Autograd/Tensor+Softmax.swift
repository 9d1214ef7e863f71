import SwiftSightCKernels
import Foundation

/// Softmax, log-softmax and cross-entropy, differentiable with PyTorch's formulas.
extension Tensor {
    /// Calls `body(offset, stride)` for each lane along `axis`: `length` elements starting at
    /// `offset`, `stride` apart.
    func forEachLane(axis: Int, _ body: (_ offset: Int, _ stride: Int) -> Void) {
        let (outer, n, inner) = split(at: axis)
        for o in 0..<outer { for i in 0..<inner { body(o * n * inner + i, inner) } }
    }

    /// Softmax along `axis` (negative counts from the end), stable (max subtracted).
    /// Differentiable: dx = y·(g − Σ g·y). O(n).
    /// - Throws: ``TensorError/axisOutOfRange(operation:axis:shape:)``.
    public func softmax(axis: Int = -1) throws(TensorError) -> Tensor {
        softmax(uncheckedAxis: try normalizedAxis(axis, "softmax"))
    }

    /// ``softmax(axis:)`` along an axis (≥ 0) of the tensor by construction.
    package func softmax(uncheckedAxis a: Int) -> Tensor {
        let n = shape[a]
        var result = detached()
        result.withUnsafeMutableBuffer { y in
            let yp = y.baseAddress!
            var lane = [Float](repeating: 0, count: n)
            forEachLane(axis: a) { start, stride in
                if stride == 1 { ss_softmax(yp + start, n, n); return }
                for j in 0..<n { lane[j] = yp[start + j * stride] }
                ss_softmax(&lane, n, n)
                for j in 0..<n { yp[start + j * stride] = lane[j] }
            }
        }
        guard isTracked else { return result }
        let y = result
        return Tensor.recorded(result, from: [self]) { g in [Tensor.softmaxPullback(g, y, axis: a)] }
    }

    /// y·(g − Σ_axis g·y), the gradient of softmax with output `y`.
    static func softmaxPullback(_ g: Tensor, _ y: Tensor, axis: Int) -> Tensor {
        let n = y.shape[axis]
        var dx = g
        dx.withUnsafeMutableBuffer { d in
            y.withUnsafeBuffer { ys in
                y.forEachLane(axis: axis) { start, stride in
                    var dot: Float = 0
                    for j in 0..<n { dot += d[start + j * stride] * ys[start + j * stride] }
                    for j in 0..<n { let k = start + j * stride; d[k] = ys[k] * (d[k] - dot) }
                }
            }
        }
        return dx
    }

    /// log(softmax(x)) along `axis`, computed as x − max − log Σ e^(x − max).
    /// Differentiable: dx = g − e^y·Σ g. O(n).
    /// - Throws: ``TensorError/axisOutOfRange(operation:axis:shape:)``.
    public func logSoftmax(axis: Int = -1) throws(TensorError) -> Tensor {
        logSoftmax(uncheckedAxis: try normalizedAxis(axis, "logSoftmax"))
    }

    private func logSoftmax(uncheckedAxis a: Int) -> Tensor {
        let n = shape[a]
        var result = detached()
        result.withUnsafeMutableBuffer { y in
            let yp = y.baseAddress!
            var shifted = [Float](repeating: 0, count: n)
            forEachLane(axis: a) { start, stride in
                var m = -Float.infinity
                for j in 0..<n { m = Swift.max(m, yp[start + j * stride]) }
                for j in 0..<n { shifted[j] = yp[start + j * stride] - m }
                var exps = shifted
                ss_exp(shifted, &exps, n)
                var s: Float = 0
                for j in 0..<n { s += exps[j] }
                let lse = Foundation.log(s)
                for j in 0..<n { yp[start + j * stride] = shifted[j] - lse }
            }
        }
        guard isTracked else { return result }
        let y = result
        return Tensor.recorded(result, from: [self]) { g in
            var dx = g
            dx.withUnsafeMutableBuffer { d in
                y.withUnsafeBuffer { ys in
                    y.forEachLane(axis: a) { start, stride in
                        var total: Float = 0
                        for j in 0..<n { total += d[start + j * stride] }
                        for j in 0..<n { let k = start + j * stride; d[k] -= Foundation.exp(ys[k]) * total }
                    }
                }
            }
            return [dx]
        }
    }

    /// The mean cross-entropy of logits [N, V] against one target class per row, shape `[]`,
    /// like `torch.nn.functional.cross_entropy` (targets of −100 are ignored and left out of
    /// the mean). Differentiable: dx = (softmax(x) − onehot(target))·g / count. O(N·V).
    /// - Throws: ``TensorError`` for logits that are not rank 2, a target count other than N, or
    ///   a target outside 0..<V (other than −100).
    public func crossEntropy(targets: [Int]) throws(TensorError) -> Tensor {
        guard rank == 2 else { throw .rank(operation: "crossEntropy", expected: "logits [N, V] (rank 2)", shape: shape) }
        guard targets.count == shape[0] else {
            throw .indexCount(operation: "crossEntropy", expected: shape[0], got: targets.count, shape: shape)
        }
        let v = shape[1]
        if let bad = targets.first(where: { $0 != -100 && ($0 < 0 || $0 >= v) }) {
            throw .indexOutOfRange(operation: "crossEntropy", index: bad, axis: nil, extent: v, shape: shape)
        }
        let used = targets.filter { $0 != -100 }.count
        let logp = detached().logSoftmax(uncheckedAxis: 1)
        var total: Double = 0
        logp.withUnsafeBuffer { lp in
            for (row, t) in targets.enumerated() where t != -100 { total -= Double(lp[row * v + t]) }
        }
        // torch gives NaN when every target is ignored (0/0); so does this.
        let result = Tensor(uncheckedShape: [], values: [Float(total / Double(used))])
        guard isTracked else { return result }
        return Tensor.recorded(result, from: [self]) { g in
            let scale = g.scalars[0] / Float(used)
            var dx = logp
            dx.withUnsafeMutableBuffer { d in
                for (row, t) in targets.enumerated() {
                    let r = d.baseAddress! + row * v
                    if t == -100 {
                        r.update(repeating: 0, count: v)
                        continue
                    }
                    for j in 0..<v { r[j] = Foundation.exp(r[j]) * scale }
                    r[t] -= scale
                }
            }
            return [dx]
        }
    }
}
