import SwiftSightHooks
import SwiftSightLayers
import SwiftSightModels

/// One run of a pipeline's stages, and the one owner of everything a run starts: a trace, a
/// forward, a generation step and a stream all go through ``Pipeline/withRun(_:bus:cache:logitRows:outputDiscarded:_:)``
/// or its siblings, so how a run starts, ends, stops and is cancelled is written once.
///
/// A run owns, from start to end:
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
    /// Runs `batch` through the stages with `intervention` running alongside, once per invoke
    /// of `bus`, each in its own task; returns the logits (as ``run(_:bus:cache:logitRows:outputDiscarded:)``)
    /// and what each invoke's intervention returned, in invoke order.
    /// - Throws: the first error of the pass or of an intervention (an intervention's error is
    ///   rethrown unchanged); `CancellationError` when the calling task is cancelled. Either way
    ///   every task of the run has ended.
    package func withRun<Value: Sendable>(
        _ batch: TokenBatch, bus: HookBus, cache: KVCache? = nil, logitRows: LogitRows = .all, outputDiscarded: Bool = false,
        _ intervention: @escaping @Sendable (Run, _ invoke: Int) async throws -> Value
    ) async throws -> (logits: Tensor?, values: [Value]) {
        let run = Run(pipeline: self, bus: bus)
        let invokes = bus.invokeSequences.count
        return try await withThrowingTaskGroup(of: RunEvent<Value>.self) { group in
            group.addTask {
                .passed(try await self.run(batch, bus: bus, cache: cache, logitRows: logitRows, outputDiscarded: outputDiscarded))
            }
            for invoke in 0..<invokes {
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
            var values = [Value?](repeating: nil, count: invokes)
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
            return (logits, values.compactMap { $0 })
        }
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
    public func run(_ batch: TokenBatch, bus: HookBus, cache: KVCache? = nil, logitRows: LogitRows = .all,
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

/// What a task of a run reports.
private enum RunEvent<Value: Sendable>: Sendable {
    /// The pass ended with these logits (nil: stopped, or output discarded).
    case passed(Tensor?)
    /// An invoke's intervention returned.
    case returned(Int, Value)
}
