import AsyncAlgorithms
import SwiftSightHooks
import SwiftSightLayers
import SwiftSightModels

/// A model's forward pass as a chain of actor stages joined by async channels.
///
/// Stages (embeddings, one per block, head) are long-lived actors that own their layer's work.
/// Each run of a batch starts one task per stage, joined by `AsyncThrowingChannel`s, whose
/// `send` waits until the next stage takes the item (back-pressure). When an intervention
/// stops the trace, the stage at the stop point ends its channel and the run cancels the rest
/// of its tasks: later stages never compute. See Docs/Architecture.md.
public final class Pipeline: Sendable {
    /// The model the stages compute.
    public let model: any TransformerModel
    /// The stages in forward order.
    public let stages: [Stage]
    /// Where backward passes run.
    public let backwardWorker = ComputeWorker(name: "swiftsight.backward")
    private let counters = PipelineCounters()

    /// Builds the stages of `model`.
    public init(model: any TransformerModel) {
        self.model = model
        let counters = self.counters
        stages = [Stage(.embeddings, model: model, counters: counters)]
            + (0..<model.info.numLayers).map { Stage(.block($0), model: model, counters: counters) }
            + [Stage(.head, model: model, counters: counters)]
    }

    /// Transformer blocks computed so far by this pipeline, over all runs.
    public var blocksComputed: Int { counters.statistics.blocksComputed }
    /// Counts of the work done so far, over all runs.
    public var statistics: PipelineStatistics { counters.statistics }

    /// Runs `batch` through the stages, firing every hook point on `bus`. With a `cache` (a
    /// generation step), blocks attend over each sequence's cached prefix and append to it.
    ///
    /// With `logitRows` `.lastOfEachSequence`, the head computes only each sequence's last row
    /// unless an intervention or observer takes the logits. With `outputDiscarded`, the run ends
    /// as soon as no intervention or observer can take anything more (and returns nil).
    ///
    /// - Returns: the packed logits [rows, vocab] (or [sequences, vocab] when only last rows were
    ///   computed), or nil if an intervention stopped the trace.
    /// - Throws: the error that ended the run (an intervention's error, a ``TraceError``,
    ///   cancellation). Either way the bus is finished, so no request is left waiting.
    public func run(_ batch: TokenBatch, bus: HookBus, cache: KVCache? = nil, logitRows: LogitRows = .all,
                    outputDiscarded: Bool = false) async throws -> Tensor? {
        do {
            var logits: Tensor?
            let model = bus.tape.flatMap { $0.parameterGradients ? self.model.watchingParameters(on: $0) : nil }
            try await stream([StageItem(batch: batch, bus: bus, tape: bus.tape, model: model, cache: cache,
                                               logitRows: logitRows, outputDiscarded: outputDiscarded)].async) {
                logits = $0.endedEarly ? nil : $0.hidden
            }
            bus.finish(reason: "the forward pass completed without producing it")
            return logits
        } catch let stop as TraceStopped {
            bus.finish(reason: "the trace was stopped after \(stop.after)")
            return nil
        } catch {
            bus.abort(error)
            throw error
        }
    }

    /// Runs a sequence of items through the stages, one task per stage joined by channels, so
    /// consecutive items are in different stages at once. `output` receives each finished item
    /// (its `hidden` holds the logits) in order; while it is busy, the stages wait for it.
    public func stream<Items: AsyncSequence & Sendable>(
        _ items: Items, output: (StageItem) async throws -> Void
    ) async throws where Items.Element == StageItem {
        let channels = (0...stages.count).map { _ in AsyncThrowingChannel<StageItem, Error>() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (i, stage) in stages.enumerated() {
                let (input, next) = (channels[i], channels[i + 1])
                // On the stage's thread: taking an item and computing it switch no threads.
                group.addTask(executorPreference: stage.thread) {
                    do {
                        for try await item in input {
                            if stage.isPast(item) {
                                var passed = item
                                passed.endedEarly = true
                                await next.send(passed)
                            } else {
                                await next.send(try await stage.process(item))
                            }
                        }
                        // A cancelled task's channel iteration ends with nil and its `send` drops
                        // the item: the loop ending is not the items ending.
                        try Task.checkCancellation()
                        next.finish()
                    } catch {
                        next.fail(error)
                    }
                }
            }
            group.addTask {
                do {
                    for try await item in items { await channels[0].send(item) }
                    try Task.checkCancellation()
                    channels[0].finish()
                } catch {
                    channels[0].fail(error)
                }
            }
            defer { group.cancelAll() }
            for try await finished in channels[stages.count] { try await output(finished) }
            // The output channel also ends (with nil) when this task is cancelled: only a loop
            // that ended without cancellation saw every item.
            try Task.checkCancellation()
        }
    }
}
