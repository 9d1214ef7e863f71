/// Views, slices and gathers, with their pullbacks (each scatters the gradient back into zeros
/// of the input's shape).
extension Tensor {
    /// `axis` counted from the end when negative, checked against the rank.
    func normalizedAxis(_ axis: Int) -> Int {
        let a = axis < 0 ? axis + rank : axis
        precondition(a >= 0 && a < rank, "axis \(axis) out of range for shape \(shape)")
        return a
    }

    /// The shape around `axis`: elements before it (outer), along it, and after it (inner).
    func split(at axis: Int) -> (outer: Int, length: Int, inner: Int) {
        (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
    }

    func recordReshape(_ result: Tensor) -> Tensor {
        let shape = self.shape
        return Tensor.recorded(result, from: [self]) { g in [g.reshaped(shape)] }
    }

    func recordRows(_ result: Tensor, _ range: Range<Int>) -> Tensor {
        let shape = self.shape
        let start = range.lowerBound * (shape[0] == 0 ? 0 : count / shape[0])
        return Tensor.recorded(result, from: [self]) { g in
            var dx = Tensor.zeros(shape)
            dx.withUnsafeMutableBuffer { d in
                g.withUnsafeBuffer { (d.baseAddress! + start).update(from: $0.baseAddress!, count: $0.count) }
            }
            return [dx]
        }
    }

    static func recordConcatenation(_ result: Tensor, _ parts: [Tensor]) -> Tensor {
        let spans = parts.map { $0.shape[0] }
        let needs = parts.map(\.isTracked)
        return recorded(result, from: parts) { g in
            var start = 0
            return zip(spans, needs).map { rows, needed in
                defer { start += rows }
                return needed ? g.rows(start..<(start + rows)) : nil
            }
        }
    }

    /// Index `index` of `axis`, dropping the axis; negative values count from the end
    /// (`x.select(axis: 1, index: -1)` is the last position of [batch, seq, dim]). Differentiable.
    /// O(result elements).
    public func select(axis: Int, index: Int) -> Tensor {
        let a = normalizedAxis(axis)
        let i = index < 0 ? index + shape[a] : index
        precondition(i >= 0 && i < shape[a], "index \(index) out of range for axis \(axis) of \(shape)")
        var outShape = shape
        outShape.remove(at: a)
        return slice(axis: a, range: i..<(i + 1)).reshaped(outShape)
    }

    /// Indices `range` of `axis` (kept, with length `range.count`); a negative axis counts from
    /// the end. Differentiable. O(result elements).
    public func slice(axis: Int, range: Range<Int>) -> Tensor {
        let a = normalizedAxis(axis)
        precondition(range.lowerBound >= 0 && range.upperBound <= shape[a], "slice \(range) out of range for axis \(axis) of \(shape)")
        if a == 0 { return rows(range) }
        let (outer, n, inner) = split(at: a)
        var outShape = shape
        outShape[a] = range.count
        let block = range.count * inner
        let source = detached()
        let result = Tensor(uninitializedShape: outShape) { out in
            source.withUnsafeBuffer { x in
                for o in 0..<outer {
                    (out.baseAddress! + o * block).update(from: x.baseAddress! + (o * n + range.lowerBound) * inner, count: block)
                }
            }
        }
        guard isTracked else { return result }
        let shape = self.shape
        return Tensor.recorded(result, from: [self]) { g in
            var dx = Tensor.zeros(shape)
            dx.withUnsafeMutableBuffer { d in
                g.withUnsafeBuffer { gs in
                    for o in 0..<outer {
                        (d.baseAddress! + (o * n + range.lowerBound) * inner).update(from: gs.baseAddress! + o * block, count: block)
                    }
                }
            }
            return [dx]
        }
    }

    /// One element along `axis` per position of the other axes: the result has `axis` removed,
    /// and `indices` (one per result element, row-major) say which. For logits [N, V],
    /// `gather(axis: -1, indices: targets)` is each row's target logit, [N]. Differentiable.
    /// O(result elements).
    public func gather(axis: Int = -1, indices: [Int]) -> Tensor {
        let a = normalizedAxis(axis)
        let (outer, n, inner) = split(at: a)
        precondition(indices.count == outer * inner, "gather on axis \(axis) of \(shape) needs \(outer * inner) indices, got \(indices.count)")
        var outShape = shape
        outShape.remove(at: a)
        let source = detached()
        let result = Tensor(uninitializedShape: outShape) { out in
            source.withUnsafeBuffer { x in
                for o in 0..<outer {
                    for i in 0..<inner {
                        let k = indices[o * inner + i]
                        precondition(k >= 0 && k < n, "gather index \(k) out of range \(n) on axis \(a)")
                        out[o * inner + i] = x[(o * n + k) * inner + i]
                    }
                }
            }
        }
        guard isTracked else { return result }
        let shape = self.shape
        return Tensor.recorded(result, from: [self]) { g in
            var dx = Tensor.zeros(shape)
            dx.withUnsafeMutableBuffer { d in
                g.withUnsafeBuffer { gs in
                    for o in 0..<outer {
                        for i in 0..<inner { d[(o * n + indices[o * inner + i]) * inner + i] += gs[o * inner + i] }
                    }
                }
            }
            return [dx]
        }
    }

    /// The transpose of a rank-2 tensor, copied. Differentiable. O(n).
    public func transposed() -> Tensor {
        precondition(rank == 2, "transposed() needs a rank-2 tensor, got \(shape)")
        let (r, c) = (shape[0], shape[1])
        let source = detached()
        let result = Tensor(uninitializedShape: [c, r]) { out in
            source.withUnsafeBuffer { x in
                for i in 0..<r { for j in 0..<c { out[j * r + i] = x[i * c + j] } }
            }
        }
        guard isTracked else { return result }
        return Tensor.recorded(result, from: [self]) { g in [g.transposed()] }
    }
}
