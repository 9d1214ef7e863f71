import SwiftSightLayers

/// Where each sequence of a batch sits in packed [rows, width] activations.
///
/// The forward pass keeps sequences packed with no padding; users see [batch, length, width]
/// tensors, left-padded to the longest sequence. This converts between the two, for all
/// sequences or a contiguous group of them (one invoke's).
package struct SequenceLayout: Sendable, Equatable {
    /// Length of each sequence.
    package let lengths: [Int]
    /// Row where each sequence starts; the last entry is the total row count.
    package let offsets: [Int]
    /// Positions of each sequence already cached before these rows (generation steps after the
    /// first); attention of row i of sequence s reaches keys 0..<past(s) + i + 1.
    package let pastLengths: [Int]

    /// The layout of sequences of these lengths, packed in order, after `pastLengths` cached
    /// positions each (none by default).
    package init(lengths: [Int], pastLengths: [Int]? = nil) {
        var offsets = [0]
        for n in lengths { offsets.append(offsets[offsets.count - 1] + n) }
        self.lengths = lengths
        self.offsets = offsets
        self.pastLengths = pastLengths ?? Array(repeating: 0, count: lengths.count)
    }

    /// Keys each sequence's attention covers: its cached positions and its rows.
    package func keyLength(of s: Int) -> Int { pastLengths[s] + lengths[s] }

    /// Total rows.
    package var rows: Int { offsets[offsets.count - 1] }

    /// Sequences `group` of `packed` in the left-padded [group.count, longest, width] layout,
    /// zeros at padding. A single sequence is a view, not a copy. O(group rows · width).
    package func leftPadded(_ packed: Tensor, sequences group: Range<Int>? = nil) -> Tensor {
        let group = group ?? 0..<lengths.count
        if packed.rank == 3 { return leftPaddedSquare(packed, sequences: group) }
        let width = packed.shape[1]
        if group.count == 1, let s = group.first {
            return packed.rows(unchecked: offsets[s]..<offsets[s + 1]).reshaped(unchecked: [1, lengths[s], width])
        }
        let length = group.map { lengths[$0] }.max() ?? 0
        if packed.isTracked {
            // Built from differentiable pieces so gradients flow back to the packed rows.
            var pieces: [Tensor] = []
            for s in group {
                if length > lengths[s] { pieces.append(Tensor.zeros(unchecked: [length - lengths[s], width])) }
                pieces.append(packed.rows(unchecked: offsets[s]..<offsets[s + 1]))
            }
            return Tensor(uncheckedConcatenatingRows: pieces).reshaped(unchecked: [group.count, length, width])
        }
        var out = Tensor.zeros(unchecked: [group.count, length, width])
        out.withUnsafeMutableBuffer { o in
            packed.withUnsafeBuffer { p in
                for (i, s) in group.enumerated() {
                    let dst = o.baseAddress! + (i * length + length - lengths[s]) * width
                    dst.update(from: p.baseAddress! + offsets[s] * width, count: lengths[s] * width)
                }
            }
        }
        return out
    }

    /// Writes a left-padded value for sequences `group` back into their rows of `packed`. O(rows · width).
    package func scatter(_ padded: Tensor, into packed: inout Tensor, sequences group: Range<Int>? = nil) {
        let group = group ?? 0..<lengths.count
        if packed.rank == 3 { return scatterSquare(padded, into: &packed, sequences: group) }
        let width = packed.shape[1]
        let length = padded.shape[1]
        if packed.isTracked || padded.isTracked {
            // Rebuilt from differentiable pieces: rows before the group, the group's real rows
            // from `padded`, rows after it.
            let flat = padded.reshaped(unchecked: [group.count * length, width])
            var pieces = [packed.rows(unchecked: 0..<offsets[group.lowerBound])]
            for (i, s) in group.enumerated() { pieces.append(flat.rows(unchecked: (i * length + length - lengths[s])..<((i + 1) * length))) }
            pieces.append(packed.rows(unchecked: offsets[group.upperBound]..<rows))
            packed = Tensor(uncheckedConcatenatingRows: pieces.filter { $0.shape[0] > 0 })
            return
        }
        packed.withUnsafeMutableBuffer { p in
            padded.withUnsafeBuffer { o in
                for (i, s) in group.enumerated() {
                    (p.baseAddress! + offsets[s] * width).update(
                        from: o.baseAddress! + (i * length + length - lengths[s]) * width, count: lengths[s] * width)
                }
            }
        }
    }

    /// Whether `value` has the left-padded shape of sequences `group` with rows of `width`.
    package func fits(_ value: Tensor, sequences group: Range<Int>, width: Int) -> Bool {
        value.shape == [group.count, group.map { lengths[$0] }.max() ?? 0, width]
    }
}
