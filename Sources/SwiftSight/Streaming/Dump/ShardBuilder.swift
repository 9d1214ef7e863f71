import Checkpoint
import Hooks
import Layers

/// Rows of activations gathered into fixed-size shards: a pure accumulator, no I/O.
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

    /// A builder for shards of `capacity` rows of the points `keys` (widths `widths`).
    init(keys: [String], widths: [Int], capacity: Int) {
        (self.keys, self.widths, self.capacity) = (keys, widths, capacity)
        values = widths.map { [Float](reserving: capacity * $0) }
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
        values = widths.map { [Float](reserving: capacity * $0) }
        (tokenIDs, promptIndices, positions) = ([], [], [])
        return shard
    }
}

extension Array where Element == Float {
    init(reserving capacity: Int) {
        self.init()
        reserveCapacity(capacity)
    }
}
