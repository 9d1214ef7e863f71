import SwiftSightHooks
import SwiftSightLayers
import SwiftSightModels

/// One run of a pipeline's stages, and the one owner of everything a run starts: a trace, a
/// forward, a generation step and a stream all go through ``Pipeline/withRun(_:invokes:observers:tape:cache:logitRows:outputDiscarded:_:)``
/// or its siblings in this folder, so how a run's bus is made, and how the run starts, ends,
/// stops and is cancelled, is written once.
///
/// A run owns, from start to end:
/// - its bus, made from what the run wants: each invoke's sequences, the observers, the
///   gradient tape;
/// - the stage tasks and the channels joining them (``Pipeline/withRun(streaming:output:)``);
/// - one task per invoke of its bus running the intervention code, which ends the invoke on
///   the bus when the code returns and aborts the bus with its error when it throws;
/// - the end of its bus: finished when the pass completed or an intervention stopped it,
///   aborted with the error that ended it, so no request is left waiting;
/// - what its caller is told: the first error of any of its tasks, or `CancellationError` when
///   the caller was cancelled (``cancellationOr(_:)``).
///
/// A run exists only inside the `withRun` call that made it, as in swift-nio's `with…` APIs:
/// every task it started has ended when that call returns, so nothing of a run outlives it.
package struct Run: Sendable {
    /// The pipeline whose stages compute the run.
    package let pipeline: Pipeline
    /// Where the run's stages fire their hook points and its interventions make requests.
    package let bus: HookBus
}

extension Pipeline {
    /// Runs `batch` through the stages with intervention code: `intervention` runs alongside the
    /// pass once per invoke (`invokes` gives each invoke's sequences, in definition order),
    /// each in its own task, on a bus the run makes. `observers` see every point after the
    /// interventions; with a `tape`, the pass records gradients. `cache`, `logitRows` and
    /// `outputDiscarded` are as in ``run(_:bus:cache:logitRows:outputDiscarded:)``.
    /// - Returns: the logits (nil if an intervention stopped the pass or the output was
    ///   discarded), what each invoke's intervention returned in invoke order, and the point a
    ///   `stop()` ended the pass after.
    /// - Throws: the first error of the pass or of an intervention (an intervention's error is
    ///   rethrown unchanged); `CancellationError` when the calling task is cancelled. Either way
    ///   every task of the run has ended.
    package func withRun<Value: Sendable>(
        _ batch: TokenBatch, invokes: [Range<Int>], observers: [HookObserver] = [], tape: GradientTape? = nil,
        cache: KVCache? = nil, logitRows: LogitRows = .all, outputDiscarded: Bool = false,
        _ intervention: @escaping @Sendable (Run, _ invoke: Int) async throws -> Value
    ) async throws -> RunResult<Value> {
        let bus = HookBus(layout: batch.layout, invokeSequences: invokes, layers: model.info.numLayers,
                          observers: observers, tape: tape)
        let run = Run(pipeline: self, bus: bus)
        return try await withThrowingTaskGroup(of: RunEvent<Value>.self) { group in
            group.addTask {
                .passed(try await self.run(batch, bus: bus, cache: cache, logitRows: logitRows, outputDiscarded: outputDiscarded))
            }
            for invoke in invokes.indices {
                group.addTask {
                    do {
                        let value = try await intervention(run, invoke)
                        bus.interventionFinished(invoke: invoke)
                        return .returned(invoke, value)
                    } catch {
                        bus.abort(error)
                        throw error
                    }
                }
            }
            var logits: Tensor?
            var values = [Value?](repeating: nil, count: invokes.count)
            do {
                for try await event in group {
                    switch event {
                    case .passed(let l): logits = l
                    case .returned(let invoke, let value): values[invoke] = value
                    }
                }
            } catch {
                group.cancelAll()
                throw cancellationOr(error)
            }
            return RunResult(logits: logits, values: values.compactMap { $0 }, stoppedAfter: bus.stoppedAfter)
        }
    }

    /// Runs `batch` through the stages with no intervention code and no observer: every point
    /// passes at once. `cache` and `logitRows` are as in ``run(_:bus:cache:logitRows:outputDiscarded:)``,
    /// which this is with a passive bus.
    package func run(_ batch: TokenBatch, cache: KVCache? = nil, logitRows: LogitRows = .all) async throws -> Tensor? {
        try await run(batch, bus: HookBus.passive(layout: batch.layout, layers: model.info.numLayers), cache: cache,
                      logitRows: logitRows)
    }

    /// An item for ``withRun(streaming:output:)``: `batch`, on a bus with no intervention code,
    /// whose `observers` collect what the stream delivers.
    package func streamItem(_ batch: TokenBatch, observers: [HookObserver], firstIndex: Int, endsAfter: HookPoint?) -> StageItem {
        let bus = HookBus(layout: batch.layout, invokeSequences: [0..<batch.batchSize], layers: model.info.numLayers,
                          observers: observers)
        bus.interventionFinished(invoke: 0)
        return StageItem(batch: batch, bus: bus, firstIndex: firstIndex, endsAfter: endsAfter)
    }

    /// Runs `batch` through the stages, firing every hook point on `bus`, with no intervention
    /// code of its own (the bus's invokes are finished, or driven from elsewhere). With a
    /// `cache` (a generation step), blocks attend over each sequence's cached prefix and append
    /// to it.
    ///
    /// With `logitRows` `.lastOfEachSequence`, the head computes only each sequence's last row
    /// unless an intervention or observer takes the logits. With `outputDiscarded`, the run ends
    /// as soon as no intervention or observer can take anything more (and returns nil).
    ///
    /// - Returns: the packed logits [rows, vocab] (or [sequences, vocab] when only last rows were
    ///   computed), or nil if an intervention stopped the trace.
    /// - Throws: the error that ended the run (an intervention's error, a ``TraceError``,
    ///   cancellation). Either way the bus is finished, so no request is left waiting.
    package func run(_ batch: TokenBatch, bus: HookBus, cache: KVCache? = nil, logitRows: LogitRows = .all,
                    outputDiscarded: Bool = false) async throws -> Tensor? {
        do {
            var logits: Tensor?
            let model = bus.tape.flatMap { $0.parameterGradients ? self.model.watchingParameters(on: $0) : nil }
            try await withRun(streaming: [StageItem(batch: batch, bus: bus, tape: bus.tape, model: model, cache: cache,
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
}

/// What a run with intervention code gives back.
package struct RunResult<Value: Sendable>: Sendable {
    /// The logits; nil when an intervention stopped the pass or the output was discarded.
    package let logits: Tensor?
    /// What each invoke's intervention returned, in invoke order.
    package let values: [Value]
    /// The point after which a `stop()` ended the pass, if one did.
    package let stoppedAfter: HookPoint?
}

/// What a task of a run reports.
private enum RunEvent<Value: Sendable>: Sendable {
    /// The pass ended with these logits (nil: stopped, or output discarded).
    case passed(Tensor?)
    /// An invoke's intervention returned.
    case returned(Int, Value)
}
