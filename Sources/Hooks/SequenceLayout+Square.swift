import SwiftSightLayers

extension SequenceLayout {
    /// Sequences `group` of packed per-position values over keys, [rows, heads, keys] (query
    /// row i of sequence s holds its keys 0..<keyLength(s); later entries are ignored), as
    /// [group.count, heads, longest rows, longest keys], left-padded on both axes, zeros at
    /// padding. Without a cached prefix both axes have the same length. This is how attention
    /// probabilities travel. Differentiable when `packed` is tracked (traces with gradients).
    /// O(group · heads · rows · keys).
    func leftPaddedSquare(_ packed: Tensor, sequences group: Range<Int>) -> Tensor {
        let length = group.map { lengths[$0] }.max() ?? 0
        let keyWidth = group.map { keyLength(of: $0) }.max() ?? 0
        let shape = [group.count, packed.shape[1], length, keyWidth]
        if packed.isTracked {
            return packed.gatheringRuns(unchecked: squareRuns(group, heads: packed.shape[1], keys: packed.shape[2], length: length,
                                                   keyWidth: keyWidth, toPadded: true), shape: shape)
        }
        var out = Tensor.zeros(unchecked: shape)
        out.withUnsafeMutableBuffer { o in
            packed.withUnsafeBuffer { p in
                forEachSquareRow(group, heads: packed.shape[1], keys: packed.shape[2], length: length, keyWidth: keyWidth) {
                    (o.baseAddress! + $1).update(from: p.baseAddress! + $0, count: $2)
                }
            }
        }
        return out
    }

    /// Writes left-padded [group.count, heads, longest rows, longest keys] values back into
    /// their sequences' rows of packed [rows, heads, keys] values (the inverse of
    /// ``leftPaddedSquare(_:sequences:)``). Differentiable when either is tracked: the
    /// gradient of the rows written goes to `padded`, the rest to the old `packed`.
    func scatterSquare(_ padded: Tensor, into packed: inout Tensor, sequences group: Range<Int>) {
        let (heads, keys) = (packed.shape[1], packed.shape[2])
        if packed.isTracked || padded.isTracked {
            let runs = squareRuns(group, heads: heads, keys: keys, length: padded.shape[2], keyWidth: padded.shape[3], toPadded: false)
            packed = packed.overwritingRuns(unchecked: runs, from: padded)
            return
        }
        packed.withUnsafeMutableBuffer { p in
            padded.withUnsafeBuffer { o in
                forEachSquareRow(group, heads: heads, keys: keys, length: padded.shape[2], keyWidth: padded.shape[3]) {
                    (p.baseAddress! + $0).update(from: o.baseAddress! + $1, count: $2)
                }
            }
        }
    }

    /// The rows ``forEachSquareRow(_:heads:keys:length:keyWidth:_:)`` visits as runs, from the
    /// packed values to the padded ones or back.
    private func squareRuns(_ group: Range<Int>, heads: Int, keys: Int, length: Int, keyWidth: Int,
                            toPadded: Bool) -> [Tensor.Run] {
        var runs: [Tensor.Run] = []
        forEachSquareRow(group, heads: heads, keys: keys, length: length, keyWidth: keyWidth) { packed, padded, count in
            runs.append(toPadded ? Tensor.Run(source: packed, destination: padded, count: count)
                                 : Tensor.Run(source: padded, destination: packed, count: count))
        }
        return runs
    }

    /// Calls `body(packedOffset, paddedOffset, count)` for each query row and head of the
    /// sequences `group`: where the row's keys sit in packed [rows, heads, keys] values and in
    /// left-padded [group, heads, length, keyWidth] ones.
    private func forEachSquareRow(_ group: Range<Int>, heads: Int, keys: Int, length: Int, keyWidth: Int,
                                  _ body: (Int, Int, Int) -> Void) {
        for (g, s) in group.enumerated() {
            let (n, k) = (lengths[s], keyLength(of: s))
            let (pad, keyPad) = (length - n, keyWidth - k)
            precondition(k <= keys, "packed probabilities hold \(keys) keys, sequence \(s) has \(k)")
            for h in 0..<heads {
                for i in 0..<n {
                    body(((offsets[s] + i) * heads + h) * keys, ((g * heads + h) * length + pad + i) * keyWidth + keyPad, k)
                }
            }
        }
    }
}
