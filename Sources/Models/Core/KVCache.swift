import Synchronization

/// The keys and values of one generation's sequences, per layer, so that each step computes
/// only its new tokens (no recomputation of the prefix).
///
/// A cache travels with its run's `StageItem`: each block stage appends the new rows' keys and
/// values of its layer, then attends over everything cached so far. It is never shared between
/// runs of different generations. Entry `s` belongs to sequence `s` of the batch it is passed
/// with; ``selecting(_:)`` keeps the entries of the sequences still generating, and
/// ``appending(_:)`` joins the caches of merged items.
package final class KVCache: Sendable {
    /// One entry per sequence, in batch order.
    package let sequences: [SequenceKV]

    /// A cache holding `sequences`.
    package init(sequences: [SequenceKV]) { self.sequences = sequences }

    /// An empty cache for `count` sequences of a model with `layers` blocks and `width`-wide
    /// keys and values, reserving room for `capacity` positions per sequence.
    package convenience init(count: Int, layers: Int, width: Int, capacity: Int = 0) {
        self.init(sequences: (0..<count).map { _ in SequenceKV(layers: layers, width: width, capacity: capacity) })
    }

    /// The entries of sequences `indices`, in that order (shared, not copied).
    package func selecting(_ indices: [Int]) -> KVCache { KVCache(sequences: indices.map { sequences[$0] }) }

    /// The entries of `self` followed by those of `other`.
    package func appending(_ other: KVCache) -> KVCache { KVCache(sequences: sequences + other.sequences) }
}

/// The cached keys and values of one sequence: per layer, [positions, width] row-major, all
/// heads side by side (the layout of GPT-2's fused projection).
package final class SequenceKV: Sendable {
    struct Layer {
        var keys: [Float] = []
        var values: [Float] = []
    }

    /// Width of a key or value row (heads · head size).
    package let width: Int
    private let layers: Mutex<[Layer]>

    /// An empty entry for `layers` blocks, with room reserved for `capacity` positions.
    package init(layers count: Int, width: Int, capacity: Int = 0) {
        self.width = width
        var layers = [Layer](repeating: Layer(), count: count)
        for i in layers.indices {
            layers[i].keys.reserveCapacity(capacity * width)
            layers[i].values.reserveCapacity(capacity * width)
        }
        self.layers = Mutex(layers)
    }

    /// Positions cached for `layer`.
    package func length(layer: Int) -> Int { layers.withLock { $0[layer].keys.count / width } }

    /// Calls `body` with `layer`'s cached keys, values and their count of positions (at least one).
    package func withCached(layer: Int,
                           _ body: (_ keys: UnsafePointer<Float>, _ values: UnsafePointer<Float>, _ length: Int) -> Void) {
        let width = self.width
        layers.withLock { all in
            precondition(!all[layer].keys.isEmpty, "nothing cached for layer \(layer)")
            all[layer].keys.withUnsafeBufferPointer { k in
                all[layer].values.withUnsafeBufferPointer { v in body(k.baseAddress!, v.baseAddress!, k.count / width) }
            }
        }
    }

    /// Appends `rows` rows of keys and values for `layer` (rows `rowStride` floats apart), then
    /// calls `body` with all of the layer's keys, values and their count of positions.
    package func append(layer: Int, rows: Int, keys: UnsafePointer<Float>, values: UnsafePointer<Float>,
                          rowStride: Int,
                          _ body: (_ keys: UnsafePointer<Float>, _ values: UnsafePointer<Float>, _ length: Int) -> Void) {
        precondition(rows > 0, "nothing to append")
        let width = self.width
        layers.withLock { all in
            for r in 0..<rows {
                all[layer].keys.append(contentsOf: UnsafeBufferPointer(start: keys + r * rowStride, count: width))
                all[layer].values.append(contentsOf: UnsafeBufferPointer(start: values + r * rowStride, count: width))
            }
            let length = all[layer].keys.count / width
            all[layer].keys.withUnsafeBufferPointer { k in
                all[layer].values.withUnsafeBufferPointer { v in
                    body(k.baseAddress!, v.baseAddress!, length)  // non-empty: this call's rows are in
                }
            }
        }
    }
}
