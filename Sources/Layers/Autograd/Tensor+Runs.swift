/// Copies of contiguous runs of elements between tensors' flat (row-major) storage, with their
/// pullbacks: how per-row pieces of one layout move into another (packed attention
/// probabilities to their left-padded square view and back).
extension Tensor {
    /// `count` elements starting at flat index `source` of one tensor, copied to flat index
    /// `destination` of another.
    ///
    /// Public because ``TensorError/runOutOfRange(operation:run:sourceCount:destinationCount:)``
    /// names one; the copies themselves are `package` (the hook bus's layouts).
    public struct Run: Sendable, Equatable {
        /// First element read.
        public var source: Int
        /// First element written.
        public var destination: Int
        /// Elements copied.
        public var count: Int

        /// A run of `count` elements from `source` to `destination`.
        public init(source: Int, destination: Int, count: Int) {
            (self.source, self.destination, self.count) = (source, destination, count)
        }
    }

    /// A tensor of `shape`, zeros except where `runs` copy this tensor's elements in.
    /// Runs must not overlap in the result. Differentiable: the pullback copies the runs back
    /// (adding where runs overlap in this tensor). O(shape's elements + copied elements).
    /// - Throws: ``TensorError`` for an invalid `shape` or a run outside either tensor.
    package func gatheringRuns(_ runs: [Run], shape: [Int]) throws(TensorError) -> Tensor {
        let n = try Tensor.checkedCount(shape, "gatheringRuns")
        try Self.check(runs, source: count, destination: n, "gatheringRuns")
        return gatheringRuns(unchecked: runs, shape: shape)
    }

    /// ``gatheringRuns(_:shape:)`` with runs inside both tensors by construction.
    package func gatheringRuns(unchecked runs: [Run], shape: [Int]) -> Tensor {
        var result = Tensor.zeros(unchecked: shape)
        let source = detached()
        result.withUnsafeMutableBuffer { out in
            source.withUnsafeBuffer { x in Self.copy(runs, from: x, into: out, adding: false) }
        }
        guard isTracked else { return result }
        let inputShape = self.shape
        return Tensor.recorded(result, from: [self]) { g in
            var dx = Tensor.zeros(unchecked: inputShape)
            dx.withUnsafeMutableBuffer { d in
                g.withUnsafeBuffer { gs in Self.copy(runs.map(\.reversed), from: gs, into: d, adding: true) }
            }
            return [dx]
        }
    }

    /// This tensor with `runs` overwritten by elements of `source` (a run's `source` indexes
    /// `source`, its `destination` this tensor). Runs must not overlap in this tensor.
    /// Differentiable in both: this tensor's gradient is zero where the runs wrote, `source`'s
    /// is the runs' gradient copied back. O(elements + copied elements).
    /// - Throws: ``TensorError`` for a run outside either tensor, or tensors on two tapes.
    package func overwritingRuns(_ runs: [Run], from source: Tensor) throws(TensorError) -> Tensor {
        try Self.check(runs, source: source.count, destination: count, "overwritingRuns")
        if isTracked && source.isTracked { try Tensor.checkSameTape([self, source], "overwritingRuns") }
        return overwritingRuns(unchecked: runs, from: source)
    }

    /// ``overwritingRuns(_:from:)`` with runs inside both tensors, on one tape, by construction.
    package func overwritingRuns(unchecked runs: [Run], from source: Tensor) -> Tensor {
        let (base, values) = (detached(), source.detached())
        let result = Tensor(uncheckedShape: shape) { out in
            base.withUnsafeBuffer { x in Self.copy([Run(source: 0, destination: 0, count: x.count)], from: x, into: out, adding: false) }
            values.withUnsafeBuffer { Self.copy(runs, from: $0, into: out, adding: false) }
        }
        guard isTracked || source.isTracked else { return result }
        let (needSelf, needSource, sourceShape) = (isTracked, source.isTracked, source.shape)
        return Tensor.recorded(result, from: [self, source]) { g in
            var dSelf: Tensor?
            if needSelf {
                var d = Tensor(uncheckedShape: g.shape) { out in
                    g.withUnsafeBuffer { gs in Self.copy([Run(source: 0, destination: 0, count: gs.count)], from: gs, into: out, adding: false) }
                }
                d.withUnsafeMutableBuffer { out in
                    for run in runs where run.count > 0 { (out.baseAddress! + run.destination).update(repeating: 0, count: run.count) }
                }
                dSelf = d
            }
            var dSource: Tensor?
            if needSource {
                var d = Tensor.zeros(unchecked: sourceShape)
                d.withUnsafeMutableBuffer { out in
                    g.withUnsafeBuffer { gs in Self.copy(runs.map(\.reversed), from: gs, into: out, adding: true) }
                }
                dSource = d
            }
            return [dSelf, dSource]
        }
    }

    /// Throws unless every run reads inside `source` elements and writes inside `destination`.
    private static func check(_ runs: [Run], source: Int, destination: Int, _ operation: String) throws(TensorError) {
        for run in runs {
            // Written as subtractions so that huge values cannot overflow.
            guard run.count >= 0 && run.source >= 0 && run.destination >= 0
                    && run.source <= source - run.count && run.destination <= destination - run.count else {
                throw .runOutOfRange(operation: operation, run: run, sourceCount: source, destinationCount: destination)
            }
        }
    }

    private static func copy(_ runs: [Run], from x: UnsafeBufferPointer<Float>, into out: UnsafeMutableBufferPointer<Float>,
                             adding: Bool) {
        for run in runs where run.count > 0 {
            let (src, dst) = (x.baseAddress! + run.source, out.baseAddress! + run.destination)
            if adding {
                for i in 0..<run.count { dst[i] += src[i] }
            } else {
                dst.update(from: src, count: run.count)
            }
        }
    }
}

extension Tensor.Run {
    /// The same run read the other way: from `destination` back to `source`.
    var reversed: Tensor.Run { Tensor.Run(source: destination, destination: source, count: count) }
}
