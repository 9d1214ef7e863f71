import SwiftSightHooks

/// Token sequences of different lengths, packed row after row with no padding.
///
/// Every layer works on the packed [rows, hidden] matrix, so no compute is spent on padding;
/// attention runs per sequence. Positions restart at 0 for each sequence: the same as
/// Hugging Face's cumulative-sum positions for a left-padded batch (padding never shifts a
/// prompt's positions, the bug reported as nnsight issue #672). ``layout`` converts to the
/// left-padded [batch, length, ...] layout users and files see.
public struct TokenBatch: Sendable, Equatable {
    /// The sequences, in order.
    public let sequences: [[Int]]
    /// Row where each sequence starts; the last entry is the total row count.
    package let offsets: [Int]
    /// All ids, packed.
    package let ids: [Int]
    /// Position id of each packed row.
    package let positions: [Int]
    /// Positions already cached before each sequence (a generation step's prefix, in a
    /// ``KVCache``); 0 for a plain forward pass. Positions continue after them.
    package let pastLengths: [Int]

    /// Packs `sequences`.
    public init(_ sequences: [[Int]]) {
        self.init(sequences, pastLengths: Array(repeating: 0, count: sequences.count))
    }

    /// Packs `sequences` that continue after `pastLengths[s]` cached positions each.
    package init(_ sequences: [[Int]], pastLengths: [Int]) {
        precondition(pastLengths.count == sequences.count, "one past length per sequence")
        var offsets = [0]
        for s in sequences { offsets.append(offsets[offsets.count - 1] + s.count) }
        self.sequences = sequences
        self.offsets = offsets
        self.pastLengths = pastLengths
        ids = sequences.flatMap { $0 }
        positions = zip(sequences, pastLengths).flatMap { s, past in past..<(past + s.count) }
    }

    /// Where each sequence's rows are, and the left-padded view of them.
    package var layout: SequenceLayout { SequenceLayout(lengths: sequences.map(\.count), pastLengths: pastLengths) }

    /// Number of sequences.
    public var batchSize: Int { sequences.count }
    /// Total packed rows.
    package var rows: Int { offsets[offsets.count - 1] }
    /// The longest sequence's length: the width of the left-padded layout.
    public var maxLength: Int { sequences.map(\.count).max() ?? 0 }
    /// Packed rows of sequence `s`.
    package func rows(of s: Int) -> Range<Int> { offsets[s]..<offsets[s + 1] }
    /// Padding columns before sequence `s` in the left-padded layout.
    public func padding(of s: Int) -> Int { maxLength - sequences[s].count }

    /// The sequences of `self` followed by those of `other`.
    package func appending(_ other: TokenBatch) -> TokenBatch {
        TokenBatch(sequences + other.sequences, pastLengths: pastLengths + other.pastLengths)
    }

    /// Row-major [batch, maxLength] ids, left-padded with `padID`.
    public func paddedIDs(padID: Int) -> [Int] {
        sequences.flatMap { Array(repeating: padID, count: maxLength - $0.count) + $0 }
    }

    /// Row-major [batch, maxLength] attention mask: 0 for padding, 1 for a token.
    public var paddedMask: [Int] {
        sequences.flatMap { Array(repeating: 0, count: maxLength - $0.count) + Array(repeating: 1, count: $0.count) }
    }
}
