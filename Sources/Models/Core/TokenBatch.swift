/// Token sequences of different lengths, left-padded into one [batch, length] block.
///
/// Left padding keeps every prompt's last token in the last column. Positions count real
/// tokens only (cumulative sum of the mask minus one), so a padded prompt gets the same
/// positions as when run alone; padding columns get position 1, as Hugging Face's
/// `generate()` gives them. (A plain `arange` would shift every padded prompt's positions,
/// the bug reported as nnsight issue #672.)
public struct TokenBatch: Sendable, Equatable {
    /// The sequences as given, without padding.
    public let sequences: [[Int]]
    /// Columns after padding: the longest sequence's length.
    public let length: Int
    /// Row-major [batch, length] ids, padding filled with the pad id.
    public let ids: [Int]
    /// Row-major [batch, length]: 1 for a real token, 0 for padding.
    public let mask: [Float]
    /// Row-major [batch, length] position ids.
    public let positions: [Int]

    /// Left-pads `sequences` with `padID`.
    public init(_ sequences: [[Int]], padID: Int) {
        let length = sequences.map(\.count).max() ?? 0
        var ids = [Int](), mask = [Float](), positions = [Int]()
        ids.reserveCapacity(sequences.count * length)
        for s in sequences {
            let pad = length - s.count
            ids += repeatElement(padID, count: pad)
            ids += s
            mask += repeatElement(Float(0), count: pad)
            mask += repeatElement(Float(1), count: s.count)
            positions += repeatElement(1, count: pad)
            positions += 0..<s.count
        }
        (self.sequences, self.length, self.ids, self.mask, self.positions) = (sequences, length, ids, mask, positions)
    }

    /// Number of sequences.
    public var batchSize: Int { sequences.count }
    /// Whether any row has padding.
    public var isPadded: Bool { sequences.contains { $0.count != length } }
    /// Padding columns at the start of row `b`.
    public func padding(ofRow b: Int) -> Int { length - sequences[b].count }
}
