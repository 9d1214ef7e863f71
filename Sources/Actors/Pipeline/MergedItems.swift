import SwiftSightHooks
import SwiftSightLayers
import SwiftSightModels
import Synchronization

/// Several traces' items computed as one batch by a stage: their sequences and rows
/// concatenated, each trace's hook points fired on its own bus with its own rows.
///
/// A trace that fails or stops at a point drops out: its later points are not fired and the
/// stage resumes it with its error; the others go on. When every trace has dropped out the
/// computation itself stops.
final class MergedItems: Sendable {
    let items: [StageItem]
    let batch: TokenBatch
    let hidden: Tensor
    /// The items' KV caches joined, when they have caches (generation steps).
    let cache: KVCache?
    private let rowOffsets: [Int]
    private let sequenceOffsets: [Int]
    private let failures: Mutex<[Int: Error]>

    init(_ items: [StageItem]) {
        self.items = items
        var offsets = [0]
        for item in items { offsets.append(offsets[offsets.count - 1] + item.batch.rows) }
        rowOffsets = offsets
        var sequenceOffsets = [0]
        for item in items { sequenceOffsets.append(sequenceOffsets[sequenceOffsets.count - 1] + item.batch.batchSize) }
        self.sequenceOffsets = sequenceOffsets
        failures = Mutex([:])
        if items.count == 1 {
            batch = items[0].batch
            hidden = items[0].hidden
            cache = items[0].cache
        } else {
            batch = TokenBatch(items.flatMap(\.batch.sequences), pastLengths: items.flatMap(\.batch.pastLengths))
            let caches = items.compactMap(\.cache)
            cache = caches.count == items.count ? KVCache(sequences: caches.flatMap(\.sequences)) : nil
            hidden = items[0].hidden.rank == 2 ? Tensor(uncheckedConcatenatingRows: items.map(\.hidden)) : items[0].hidden
        }
    }

    /// Item `i`'s error, if it dropped out.
    func failure(of i: Int) -> Error? { failures.withLock { $0[i] } }

    /// Item `i`'s rows of a merged tensor (a view).
    func rows(of i: Int, in merged: Tensor) -> Tensor {
        items.count == 1 ? merged : merged.rows(unchecked: rowOffsets[i]..<rowOffsets[i + 1])
    }

    /// Item `i`'s rows of a merged tensor that has one row per sequence (a view).
    func sequenceRows(of i: Int, in merged: Tensor) -> Tensor {
        items.count == 1 ? merged : merged.rows(unchecked: sequenceOffsets[i]..<sequenceOffsets[i + 1])
    }

    /// Writes item `i`'s rows back into a merged tensor.
    func write(_ rows: Tensor, of i: Int, into merged: inout Tensor) {
        if items.count == 1 { merged = rows; return }
        let width = merged.count / max(merged.shape[0], 1), start = rowOffsets[i] * width
        merged.withUnsafeMutableBuffer { m in
            rows.withUnsafeBuffer { r in (m.baseAddress! + start).update(from: r.baseAddress!, count: r.count) }
        }
    }

    /// Fires `point` on every live item's bus, in order, applying their edits to `merged`.
    /// - Throws: the only item's error when there is one item; a stop marker once all dropped out.
    func fire(_ point: HookPoint, _ merged: inout Tensor) async throws {
        if items.count == 1 {
            try await items[0].bus.reach(point, &merged)
            return
        }
        for (i, item) in items.enumerated() where failure(of: i) == nil {
            let original = rows(of: i, in: merged)
            var value = original
            do {
                try await item.bus.reach(point, &value)
                if !value.isSameView(as: original) { write(value, of: i, into: &merged) }
            } catch {
                failures.withLock { $0[i] = error }
            }
        }
        if failures.withLock({ $0.count }) == items.count { throw AllItemsDroppedOut() }
    }

    struct AllItemsDroppedOut: Error {}
}
