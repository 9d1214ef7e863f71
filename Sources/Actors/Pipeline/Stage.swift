import SwiftSightHooks
import SwiftSightLayers
import SwiftSightModels
import Synchronization

/// One stage of the pipeline: the embeddings, one transformer block, or the final norm and
/// head. Each stage is an actor on its own ``ComputeThread``, so different traces can be in
/// different stages at once (trace B in block 0 while trace A is in block 5) and the blocking
/// BLAS work stays off the cooperative thread pool.
///
/// Items that arrive while the stage is busy are merged and computed together (continuous
/// batching): their rows are concatenated, so one matrix product serves many traces. Each
/// trace's hook points still fire on its own bus with its own rows only.
package actor Stage {
    /// What a stage computes.
    package enum Kind: Sendable, Equatable, CustomStringConvertible {
        case embeddings
        case block(Int)
        case head

        package var description: String {
            switch self {
            case .embeddings: "embeddings"
            case .block(let i): "block \(i)"
            case .head: "head"
            }
        }
    }

    struct Pending {
        let item: StageItem
        let continuation: CheckedContinuation<StageItem, Error>
    }

    /// What this stage computes.
    package nonisolated let kind: Kind
    private nonisolated let model: any TransformerModel
    /// The stage's thread: its actor executor, and the task executor of the pipeline's task
    /// feeding it.
    nonisolated let thread: ComputeThread
    private nonisolated let counters: PipelineCounters
    /// Most rows merged into one computation (bounds the memory of a merged batch).
    private nonisolated let maxRows: Int
    private var pending: [Pending] = []
    private var draining = false

    init(_ kind: Kind, model: any TransformerModel, counters: PipelineCounters) {
        self.kind = kind
        self.model = model
        self.counters = counters
        self.thread = ComputeThread(name: "swiftsight.\(kind)")
        // The head's output is [rows, vocab]: keep merged logits around 100 MB at most.
        self.maxRows = kind == .head ? max(64, 25_000_000 / max(model.info.vocabSize, 1)) : 2048
    }

    deinit { thread.shutdown() }

    /// The first hook point this stage fires.
    package nonisolated var firstPoint: HookPoint {
        switch kind {
        case .embeddings: .tokenEmbeddings
        case .block(let i): .layerInput(i)
        case .head: .lnFinal
        }
    }

    /// Whether `item` needs nothing from this stage: it ends at a point before the stage's first,
    /// or its output is discarded and nobody can take anything from here on.
    package nonisolated func isPast(_ item: StageItem) -> Bool {
        if let end = item.endsAfter, end < firstPoint { return true }
        return item.outputDiscarded && item.tape == nil && item.bus.isDone(before: firstPoint)
    }

    package nonisolated var unownedExecutor: UnownedSerialExecutor { thread.asUnownedSerialExecutor() }

    /// Runs this stage on `item`, firing its hook points on the item's bus.
    /// - Throws: ``TraceStopped`` when an intervention stopped the trace at one of this stage's
    ///   points; the error that ended the trace.
    package func process(_ item: StageItem) async throws -> StageItem {
        try Task.checkCancellation()
        return try await withCheckedThrowingContinuation { continuation in
            pending.append(Pending(item: item, continuation: continuation))
            if !draining {
                draining = true
                Task { await self.drain() }
            }
        }
    }

    private func drain() async {
        while !pending.isEmpty {
            var group: [Pending] = []
            var rows = 0
            // Traces recording gradients run alone: one tape per computation.
            while let next = pending.first,
                  group.isEmpty || (rows + next.item.batch.rows <= maxRows && next.item.tape == nil && group[0].item.tape == nil
                                    && (next.item.cache == nil) == (group[0].item.cache == nil)) {
                group.append(pending.removeFirst())
                rows += next.item.batch.rows
            }
            await compute(group)
        }
        draining = false
    }

    /// Computes a group of items as one merged batch and resumes each with its own result.
    private func compute(_ group: [Pending]) async {
        var live: [Pending] = []
        for p in group {
            if let failure = p.item.bus.failure { p.continuation.resume(throwing: failure) } else { live.append(p) }
        }
        guard !live.isEmpty else { return }
        counters.computed(items: live.count)
        let merged = MergedItems(live.map(\.item))
        do {
            let (output, perSequence) = try await run(merged)
            for (i, p) in live.enumerated() {
                if let failure = merged.failure(of: i) {
                    p.continuation.resume(throwing: failure)
                } else {
                    var item = p.item
                    item.hidden = perSequence ? merged.sequenceRows(of: i, in: output) : merged.rows(of: i, in: output)
                    p.continuation.resume(returning: item)
                }
            }
        } catch {
            for (i, p) in live.enumerated() { p.continuation.resume(throwing: merged.failure(of: i) ?? error) }
        }
    }

    /// The stage's output for the merged items, and whether it has one row per sequence (last-row
    /// logits) rather than one per token.
    private func run(_ merged: MergedItems) async throws -> (Tensor, perSequence: Bool) {
        let batch = merged.batch
        let model = merged.items[0].model ?? self.model
        switch kind {
        case .embeddings:
            var embeddings = model.tokenEmbeddings(batch)
            if let tape = merged.items[0].tape { embeddings = tape.watch(embeddings) }
            try await merged.fire(.tokenEmbeddings, &embeddings)
            return (model.firstLayerInput(tokenEmbeddings: embeddings, batch: batch), false)
        case .block(let layer):
            var x = merged.hidden
            try await merged.fire(.layerInput(layer), &x)
            var output = try await block(layer, x, merged: merged, model: model)
            try await merged.fire(.layerOutput(layer), &output)
            return (output, false)
        case .head:
            var normed = model.finalNorm(merged.hidden)
            try await merged.fire(.lnFinal, &normed)
            if merged.items.allSatisfy({ $0.logitRows != .all && !$0.bus.wants(.logits) }) {
                let rows = (0..<batch.batchSize).map { normed.rows(unchecked: (batch.offsets[$0 + 1] - 1)..<batch.offsets[$0 + 1]) }
                let last = rows.count == 1 ? rows[0] : Tensor(uncheckedConcatenatingRows: rows)
                if merged.items.allSatisfy({ $0.logitRows == .greedyTokenOfEachSequence }) {
                    let tokens = model.greedyTokens(last)
                    return (Tensor(uncheckedShape: [tokens.count, 1], values: tokens.map { Float($0) }), true)
                }
                return (model.unembed(last), true)
            }
            var logits = model.unembed(normed)
            try await merged.fire(.logits, &logits)
            return (logits, false)
        }
    }

    /// The block's output, honouring invokes that asked to skip it.
    private func block(_ layer: Int, _ input: Tensor, merged: MergedItems, model: any TransformerModel) async throws -> Tensor {
        let skips = merged.items.map { $0.bus.skips(layer: layer) }
        var output: Tensor
        // With a KV cache the block is computed even when skipped, so its cache stays complete.
        if merged.cache == nil, zip(merged.items, skips).allSatisfy({ $1.count == $0.bus.invokeSequences.count }) {
            output = input
        } else {
            // An optional point is produced when any merged item's bus will take it.
            let context = BlockContext(batch: merged.batch, cache: merged.cache,
                                       hook: { point, value in try await merged.fire(point, &value) },
                                       wants: { point in merged.items.contains { $0.bus.wants(point) } })
            output = try await model.block(layer, input, context: context)
            counters.blockComputed()
        }
        for (i, item) in merged.items.enumerated() where !skips[i].isEmpty {
            var rows = merged.rows(of: i, in: output)
            let inputRows = merged.rows(of: i, in: input)
            for (invoke, replacement) in skips[i] {
                let sequences = item.bus.invokeSequences[invoke]
                item.bus.layout.scatter(replacement ?? item.bus.layout.leftPadded(inputRows, sequences: sequences),
                                        into: &rows, sequences: sequences)
            }
            merged.write(rows, of: i, into: &output)
        }
        return output
    }
}

/// Counts of work done, for tests and benchmarks that check what `stop()`, skipping and
/// merging do.
final class PipelineCounters: Sendable {
    private let blocks = Atomic<Int>(0)
    private let computations = Atomic<Int>(0)
    private let items = Atomic<Int>(0)
    func blockComputed() { blocks.add(1, ordering: .relaxed) }
    func computed(items count: Int) {
        computations.add(1, ordering: .relaxed)
        items.add(count, ordering: .relaxed)
    }
    var statistics: PipelineStatistics {
        PipelineStatistics(blocksComputed: blocks.load(ordering: .relaxed),
                           stageComputations: computations.load(ordering: .relaxed),
                           stageItems: items.load(ordering: .relaxed))
    }
}

/// What a pipeline has done since it was built.
package struct PipelineStatistics: Sendable, Equatable {
    /// Transformer blocks computed (a block computed once for a merged group counts once).
    package let blocksComputed: Int
    /// Stage computations (one per group of merged items).
    package let stageComputations: Int
    /// Items processed by stages; divided by `stageComputations`, how many traces a
    /// computation served on average (continuous batching at work when above 1).
    package let stageItems: Int
}
