import SwiftSightCheckpoint
import SwiftSightHooks
import SwiftSightLayers

/// Rows of activations gathered into fixed-size shards: a pure accumulator, no I/O.
///
/// A shard holds `capacity` rows, chosen by ``rows(shardTokens:shardBytes:widths:)`` so that it
/// fits a byte budget: a logits row of a 50,257-token vocabulary is 65 times a hidden row of
/// GPT-2 small, so a row count alone would make shards of 13 GB. The buffers are not reserved
/// up front but grow as rows arrive (doubling, never past the shard's size), so a short dump
/// holds only what it gathered.
///
/// Each row is one token of one prompt: its value at every dumped point, its token id, the
/// prompt's index in the stream and the token's position in the prompt. A prompt's rows may be
/// split across two shards; `prompt_index` and `position` put them back together.
struct ShardBuilder {
    /// One shard's contents, ready to write.
    struct Shard: Sendable {
        let number: Int
        let rows: Int
        let firstPrompt: Int
        let entries: [SafetensorsEntry]
    }

    let keys: [String]
    let widths: [Int]
    let capacity: Int
    private var values: [[Float]]
    private var tokenIDs: [Int64] = []
    private var promptIndices: [Int64] = []
    private var positions: [Int64] = []
    private var shardsMade = 0

    /// A builder for shards of `capacity` rows of the points `keys` (widths `widths`); `capacity`
    /// comes from ``rows(shardTokens:shardBytes:widths:)``, so `capacity * width` cannot overflow.
    init(keys: [String], widths: [Int], capacity: Int) {
        (self.keys, self.widths, self.capacity) = (keys, widths, capacity)
        values = widths.map { _ in [] }
    }

    /// Bytes of one row in a shard file: its F32 values at every point and three int64 columns
    /// (saturating at `Int.max`, which then makes shards of one row).
    static func rowBytes(widths: [Int]) -> Int {
        var total = 3 * MemoryLayout<Int64>.size
        for width in widths {
            let (bytes, overflow) = width.multipliedReportingOverflow(by: MemoryLayout<Float>.size)
            let (sum, overflowAgain) = total.addingReportingOverflow(bytes)
            guard !overflow, !overflowAgain else { return .max }
            total = sum
        }
        return total
    }

    /// Rows per shard: `shardTokens`, or fewer so a shard's rows stay within `shardBytes`, and at
    /// least one. Both limits must be positive (checked by the caller).
    static func rows(shardTokens: Int, shardBytes: Int, widths: [Int]) -> Int {
        max(1, min(shardTokens, shardBytes / rowBytes(widths: widths)))
    }

    /// Rows gathered and not yet in a shard.
    var pendingRows: Int { tokenIDs.count }

    /// Adds one prompt's rows (`perKey[k]` is [tokens, widths[k]] for `keys[k]`); returns the
    /// shards this completes.
    mutating func add(prompt: Int, tokens: [Int], perKey: [Tensor]) -> [Shard] {
        var done: [Shard] = []
        var start = 0
        while start < tokens.count {
            let take = min(capacity - pendingRows, tokens.count - start)
            for (k, tensor) in perKey.enumerated() {
                let w = widths[k]
                grow(&values[k], toHold: (pendingRows + take) * w, atMost: capacity * w)
                tensor.withUnsafeBuffer { values[k].append(contentsOf: $0[(start * w)..<((start + take) * w)]) }
            }
            tokenIDs.append(contentsOf: tokens[start..<(start + take)].map(Int64.init))
            promptIndices.append(contentsOf: repeatElement(Int64(prompt), count: take))
            positions.append(contentsOf: (start..<(start + take)).map(Int64.init))
            start += take
            if pendingRows == capacity { done.append(takeShard()) }
        }
        return done
    }

    /// The rows gathered so far as a last, possibly short, shard (nil if there are none).
    mutating func finish() -> Shard? { pendingRows > 0 ? takeShard() : nil }

    private mutating func takeShard() -> Shard {
        let rows = pendingRows
        var entries = zip(keys, zip(widths, values)).map { key, pair in
            SafetensorsEntry(name: key, shape: [rows, pair.0], payload: .float32(pair.1))
        }
        entries.append(SafetensorsEntry(name: "input_ids", shape: [rows], payload: .int64(tokenIDs)))
        entries.append(SafetensorsEntry(name: "prompt_index", shape: [rows], payload: .int64(promptIndices)))
        entries.append(SafetensorsEntry(name: "position", shape: [rows], payload: .int64(positions)))
        let shard = Shard(number: shardsMade, rows: rows, firstPrompt: Int(promptIndices.first ?? 0), entries: entries)
        shardsMade += 1
        values = widths.map { _ in [] }
        (tokenIDs, promptIndices, positions) = ([], [], [])
        return shard
    }
}

/// Makes room in `buffer` for `count` elements, doubling its capacity but never beyond `limit`
/// (a full shard), so a shard's buffer ends the size of the shard instead of up to twice that.
private func grow(_ buffer: inout [Float], toHold count: Int, atMost limit: Int) {
    guard buffer.capacity < count else { return }
    let doubled = buffer.capacity > limit / 2 ? limit : 2 * buffer.capacity
    buffer.reserveCapacity(min(limit, max(count, doubled)))
}
