/// Views, slices and gathers, with their pullbacks (each scatters the gradient back into zeros
/// of the input's shape).
extension Tensor {
    /// `axis` counted from the end when negative, checked against the rank.
    /// - Throws: ``TensorError/axisOutOfRange(operation:axis:shape:)`` naming `operation`.
    func normalizedAxis(_ axis: Int, _ operation: String) throws(TensorError) -> Int {
        let a = axis < 0 ? axis + rank : axis
        guard a >= 0 && a < rank else { throw .axisOutOfRange(operation: operation, axis: axis, shape: shape) }
        return a
    }

    /// The shape around `axis`: elements before it (outer), along it, and after it (inner).
    func split(at axis: Int) -> (outer: Int, length: Int, inner: Int) {
        (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
    }

    func recordReshape(_ result: Tensor) -> Tensor {
        let shape = self.shape
        return Tensor.recorded(result, from: [self]) { g in [g.reshaped(unchecked: shape)] }
    }

    func recordRows(_ result: Tensor, _ range: Range<Int>) -> Tensor {
        let shape = self.shape
        let start = range.lowerBound * (shape[0] == 0 ? 0 : count / shape[0])
        return Tensor.recorded(result, from: [self]) { g in
            var dx = Tensor.zeros(unchecked: shape)
            dx.withUnsafeMutableBuffer { d in
                g.withUnsafeBuffer { if $0.count > 0 { (d.baseAddress! + start).update(from: $0.baseAddress!, count: $0.count) } }
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
                return needed ? g.rows(unchecked: start..<(start + rows)) : nil
            }
        }
    }

    /// Index `index` of `axis`, dropping the axis; negative values count from the end
    /// (`x.select(axis: 1, index: -1)` is the last position of [batch, seq, dim]). Differentiable.
    /// O(result elements).
    /// - Throws: ``TensorError`` for an axis or index out of range.
    public func select(axis: Int, index: Int) throws(TensorError) -> Tensor {
        let a = try normalizedAxis(axis, "select")
        let i = index < 0 ? index + shape[a] : index
        guard i >= 0 && i < shape[a] else {
            throw .indexOutOfRange(operation: "select", index: index, axis: axis, extent: shape[a], shape: shape)
        }
        var outShape = shape
        outShape.remove(at: a)
        return slice(uncheckedAxis: a, range: i..<(i + 1)).reshaped(unchecked: outShape)
    }

    /// Indices `range` of `axis` (kept, with length `range.count`); a negative axis counts from
    /// the end. Differentiable. O(result elements).
    /// - Throws: ``TensorError`` for an axis or range out of range.
    public func slice(axis: Int, range: Range<Int>) throws(TensorError) -> Tensor {
        let a = try normalizedAxis(axis, "slice")
        guard range.lowerBound >= 0 && range.upperBound <= shape[a] else {
            throw .rangeOutOfRange(operation: "slice", range: range, axis: a, shape: shape)
        }
        return slice(uncheckedAxis: a, range: range)
    }

    /// ``slice(axis:range:)`` of an axis (≥ 0) and a range inside it, by construction.
    package func slice(uncheckedAxis a: Int, range: Range<Int>) -> Tensor {
        if a == 0 { return rows(unchecked: range) }
        let (outer, n, inner) = split(at: a)
        var outShape = shape
        outShape[a] = range.count
        let block = range.count * inner
        let source = detached()
        let result = Tensor(uncheckedShape: outShape) { out in
            source.withUnsafeBuffer { x in
                guard block > 0 else { return }
                for o in 0..<outer {
                    (out.baseAddress! + o * block).update(from: x.baseAddress! + (o * n + range.lowerBound) * inner, count: block)
                }
            }
        }
        guard isTracked else { return result }
        let shape = self.shape
        return Tensor.recorded(result, from: [self]) { g in
            var dx = Tensor.zeros(unchecked: shape)
            dx.withUnsafeMutableBuffer { d in
                g.withUnsafeBuffer { gs in
                    guard block > 0 else { return }
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
    /// - Throws: ``TensorError`` for an axis out of range, the wrong number of indices, or an
    ///   index outside the axis.
    public func gather(axis: Int = -1, indices: [Int]) throws(TensorError) -> Tensor {
        let a = try normalizedAxis(axis, "gather")
        let (outer, n, inner) = split(at: a)
        guard indices.count == outer * inner else {
            throw .indexCount(operation: "gather", expected: outer * inner, got: indices.count, shape: shape)
        }
        if let bad = indices.first(where: { $0 < 0 || $0 >= n }) {
            throw .indexOutOfRange(operation: "gather", index: bad, axis: a, extent: n, shape: shape)
        }
        var outShape = shape
        outShape.remove(at: a)
        let source = detached()
        let result = Tensor(uncheckedShape: outShape) { out in
            source.withUnsafeBuffer { x in
                for o in 0..<outer {
                    for i in 0..<inner { out[o * inner + i] = x[(o * n + indices[o * inner + i]) * inner + i] }
                }
            }
        }
        guard isTracked else { return result }
        let shape = self.shape
        return Tensor.recorded(result, from: [self]) { g in
            var dx = Tensor.zeros(unchecked: shape)
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
    /// - Throws: ``TensorError/rank(operation:expected:shape:)`` unless the tensor is rank 2.
    public func transposed() throws(TensorError) -> Tensor {
        guard rank == 2 else { throw .rank(operation: "transposed", expected: "a rank-2 tensor", shape: shape) }
        return transposedMatrix()
    }

    /// ``transposed()`` of a rank-2 tensor.
    private func transposedMatrix() -> Tensor {
        let (r, c) = (shape[0], shape[1])
        let source = detached()
        let result = Tensor(uncheckedShape: [c, r]) { out in
            source.withUnsafeBuffer { x in
                for i in 0..<r { for j in 0..<c { out[j * r + i] = x[i * c + j] } }
            }
        }
        guard isTracked else { return result }
        return Tensor.recorded(result, from: [self]) { g in [g.transposedMatrix()] }
    }
}
