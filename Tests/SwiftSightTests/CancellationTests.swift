import Foundation
import SwiftSight
@_spi(Testing) import SwiftSightLayers
import Synchronization
import Testing

/// Cancelling the caller ends what it started and says so: the call throws `CancellationError`
/// (never a partial result, never a `TraceError`), nothing keeps computing, and the model gives
/// the same answers afterwards.
@Suite struct CancellationTests {
    /// The task running a test's work, so the work can cancel it from inside (an intervention,
    /// a stream's loop) at an exact point instead of after a delay.
    final class TaskHandle<T: Sendable>: Sendable {
        let task = Mutex<Task<T, Error>?>(nil)
        func cancel() { task.withLock { $0?.cancel() } }
    }

    /// Runs `work` in a new task that `work` cancels by calling the closure it is given; the
    /// work starts only once the task can be cancelled.
    static func selfCancelling<T: Sendable>(
        _ work: @escaping @Sendable (_ cancel: @escaping @Sendable () -> Void) async throws -> T
    ) async -> Result<T, Error> {
        let handle = TaskHandle<T>()
        let (started, start) = AsyncStream<Void>.makeStream()
        let task = Task {
            for await _ in started { break }
            return try await work { handle.cancel() }
        }
        handle.task.withLock { $0 = task }
        start.yield()
        start.finish()
        return await task.result
    }

    /// Records an issue unless `result` is a `CancellationError`.
    static func expectCancelled<T>(_ result: Result<T, Error>, _ what: String,
                                   sourceLocation: SourceLocation = #_sourceLocation) {
        switch result {
        case .success(let value):
            Issue.record("\(what): returned \(value) instead of throwing CancellationError", sourceLocation: sourceLocation)
        case .failure(let error) where !(error is CancellationError):
            Issue.record("\(what): threw \(error) instead of CancellationError", sourceLocation: sourceLocation)
        default:
            break
        }
    }

    /// Blocks computed by `model` over a short pause: not 0 means something is still running.
    static func blocksComputedWhileIdle(_ model: StandardizedTransformer) async throws -> Int {
        let before = model.blocksComputed
        try await Task.sleep(for: .milliseconds(50))
        return model.blocksComputed - before
    }

    // MARK: - Generation

    @Test func aGenerationCancelledDuringAStepThrows() async throws {
        let model = try await GenerationFixtures.model()
        let reference = try await model.generate("Hello", maxNewTokens: 20, stopAtEndOfText: false)
        for i in 0..<20 {
            let step = i % 6
            let result = await Self.selfCancelling { cancel in
                try await model.generate("Hello", maxNewTokens: 20, stopAtEndOfText: false, steps: step...step) { _, t in
                    switch i % 3 {
                    case 0:                                   // cancel, then return: the step goes on
                        cancel()
                    case 1:                                   // after a read, holding the forward pass
                        _ = try await t.layersOutput[1]
                        cancel()
                    default:                                  // then wait for a later point
                        _ = try await t.layersOutput[0]
                        cancel()
                        _ = try await t.logits
                    }
                }.output
            }
            Self.expectCancelled(result, "generation cancelled at step \(step), mode \(i % 3)")
        }
        #expect(try await Self.blocksComputedWhileIdle(model) == 0)
        #expect(try await model.generate("Hello", maxNewTokens: 20, stopAtEndOfText: false) == reference)
    }

    @Test func aGenerationCancelledFromOutsideNeverReturnsAPartialOutput() async throws {
        let model = try await GenerationFixtures.model()
        let reference = try await model.generate("Hello", maxNewTokens: 40, stopAtEndOfText: false)
        // Already cancelled when it starts: nothing to return.
        Self.expectCancelled(await Self.selfCancelling { cancel in
            cancel()
            return try await model.generate("Hello", maxNewTokens: 40, stopAtEndOfText: false)
        }, "generation started in a cancelled task")
        // Cancelled at some point of its run: either it finished first, or it throws.
        for i in 0..<20 {
            let task = Task { try await model.generate("Hello", maxNewTokens: 40, stopAtEndOfText: false) }
            try await Task.sleep(for: .microseconds(250 * i))
            task.cancel()
            switch await task.result {
            case .success(let output):
                #expect(output == reference, "try \(i): a cancelled generation returned \(output.ids.count) tokens, \(output.stopReason)")
            case .failure(let error):
                #expect(error is CancellationError, "try \(i): \(error)")
            }
        }
        #expect(try await model.generate("Hello", maxNewTokens: 40, stopAtEndOfText: false) == reference)
    }

    @Test func maxNewTokensAStopTokenAndStopAreStillSuccesses() async throws {
        let model = try await GenerationFixtures.model()
        let full = try await model.generate("Hello", maxNewTokens: 6, stopAtEndOfText: false)
        #expect(full.ids.count == 6 && full.stopReason == .maxNewTokens)
        let stop = full.ids[2]
        let cut = try #require(full.ids.firstIndex(of: stop))
        let stopped = try await model.generate("Hello", maxNewTokens: 6, stopTokens: [stop], stopAtEndOfText: false)
        #expect(stopped.ids == Array(full.ids[...cut]) && stopped.stopReason == .stopToken(stop))
        let run = try await model.generate("Hello", maxNewTokens: 6, stopAtEndOfText: false, steps: 2...2) { _, t in t.stop() }
        #expect(run.output?.ids == Array(full.ids.prefix(2)) && run.output?.stopReason == .stopped)
    }

    @Test func aGenerationStreamCancelledByItsConsumerThrows() async throws {
        let model = try await GenerationFixtures.model()
        for i in 0..<20 {
            let result = await Self.selfCancelling { cancel in
                var taken = 0
                for try await token in model.generationStream("Hello", maxNewTokens: 30, stopAtEndOfText: false) {
                    taken += 1
                    if token.step == i % 5 { cancel() }
                }
                return taken
            }
            Self.expectCancelled(result, "stream cancelled after step \(i % 5)")
            #expect(try await Self.blocksComputedWhileIdle(model) == 0, "after step \(i % 5)")
        }
        #expect(try await Self.blocksComputedWhileIdle(model) == 0)
        var ids: [Int] = []
        for try await token in model.generationStream("Hello", maxNewTokens: 5, stopAtEndOfText: false) { ids.append(token.id) }
        #expect(ids == (try await model.generate("Hello", maxNewTokens: 5, stopAtEndOfText: false)).ids)
    }

    // MARK: - Traces

    /// Ways a trace is cancelled from inside, at layer `layer`.
    static func cancelledTrace(_ mode: Int, layer: Int, prompt: String, on model: StandardizedTransformer)
        async -> Result<Tensor, Error> {
        await selfCancelling { cancel in
            switch mode {
            case 0:                                           // the intervention returns; the pass goes on
                return try await model.trace(prompt) { t in
                    let v = try await t.layersOutput[layer]
                    cancel()
                    return v
                }
            case 1:                                           // then waits for the logits
                return try await model.trace(prompt) { t in
                    _ = try await t.layersOutput[layer]
                    cancel()
                    return try await t.logits
                }
            case 2:                                           // another invoke is waiting for the logits
                return try await model.trace(invokes: [
                    Invoke(prompt) { t in try await t.logits },
                    Invoke(prompt) { t in
                        let v = try await t.layersOutput[layer]
                        cancel()
                        return v
                    },
                ])[0]
            case 3:                                           // before any read
                return try await model.trace(prompt) { t in
                    cancel()
                    return try await t.layersOutput[layer]
                }
            default:                                          // with a cache of every layer
                return try await model.trace(prompt, cache: .allLayers()) { t in
                    let v = try await t.layersOutput[layer]
                    cancel()
                    return v
                }.value
            }
        }
    }

    @Test func cancelledTracesThrowCancellationErrorAndLeaveTheModelAsItWas() async throws {
        let model = try await TestModels.fixture()
        let prompts = ConcurrencyTests.prompts
        var before: [Tensor] = []
        for p in prompts { before.append(try await model.forward(model.batch([p]))) }
        // One after the other, then fifty at once (merged in the stages with each other).
        for i in 0..<25 {
            let result = await Self.cancelledTrace(i % 5, layer: i % 3, prompt: prompts[i % prompts.count], on: model)
            Self.expectCancelled(result, "trace \(i), mode \(i % 5), layer \(i % 3)")
        }
        let results = await withTaskGroup(of: (Int, Result<Tensor, Error>).self) { group in
            for i in 0..<50 {
                group.addTask { (i, await Self.cancelledTrace(i % 5, layer: (i / 5) % 3, prompt: prompts[i % prompts.count], on: model)) }
            }
            return await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        for (i, result) in results.sorted(by: { $0.key < $1.key }) {
            Self.expectCancelled(result, "concurrent trace \(i), mode \(i % 5), layer \((i / 5) % 3)")
        }
        #expect(try await Self.blocksComputedWhileIdle(model) == 0)
        for (p, expected) in zip(prompts, before) {
            #expect(try await model.forward(model.batch([p])).maxAbsDifference(expected) == 0, "\(p)")
        }
    }

    /// The pipeline's channels end (with nil) when its task is cancelled: that must not pass for
    /// a completed pass, which would fail waiting requests with "the forward pass completed
    /// without producing it" instead of CancellationError.
    @Test func aRunEndedByCancellationIsNotACompletedRun() async throws {
        let model = try await TestModels.fixture()
        let batch = try model.batch(["My tailor is rich"])
        for i in 0..<20 {
            let bus = HookBus(layout: batch.layout, invokeSequences: [0..<1], layers: model.numLayers)
            let request = Task { try await bus.value(at: .logits, invoke: 0) }      // not cancelled itself
            let run = await Self.selfCancelling { cancel in
                cancel()
                return try await model.pipeline.run(batch, bus: bus)
            }
            Self.expectCancelled(run, "run \(i)")
            Self.expectCancelled(await request.result, "request \(i)")
        }
        #expect(try await Self.blocksComputedWhileIdle(model) == 0)
    }

    /// Two hundred calls of every kind (traces, stop(), several invokes, caches, generations,
    /// token streams), forty at a time, each cancelled from outside after a random delay: each
    /// either completes in full or throws CancellationError.
    @Test func cancellationAtRandomPointsEitherCompletesOrCancels() async throws {
        let model = try await TestModels.fixture()
        let before = try await model.forward(model.batch(["Hello world"]))
        var rng = SplitMix(seed: 7)
        let plans = (0..<200).map { _ in (mode: rng.next(6), layer: rng.next(3), delay: rng.next(100_000)) }
        var outcomes: [String: Int] = [:]
        for wave in stride(from: 0, to: plans.count, by: 40) {
            let results = await withTaskGroup(of: String.self) { group in
                for plan in plans[wave..<(wave + 40)] {
                    group.addTask {
                        let task = Task { () async throws -> Bool in
                            let layer = plan.layer
                            switch plan.mode {
                            case 0: _ = try await model.trace("Hello world") { t in try await t.logits }
                            case 1: _ = try await model.trace("Hello world") { t in _ = try await t.layersOutput[layer]; t.stop() }
                            case 2: _ = try await model.trace(invokes: [Invoke("a b c") { t in try await t.logits },
                                                                        Invoke("x") { t in try await t.layersOutput[layer] }])
                            case 3: return try await model.generate("Hello", maxNewTokens: 8, stopAtEndOfText: false).ids.count == 8
                            case 4: _ = try await model.trace("Hello world", cache: .allLayers()) { t in try await t.layersOutput[layer] }
                            default:
                                var count = 0
                                for try await _ in model.generationStream("Hello", maxNewTokens: 8, stopAtEndOfText: false) { count += 1 }
                                return count == 8
                            }
                            return true
                        }
                        try? await Task.sleep(for: .microseconds(plan.delay))
                        task.cancel()
                        switch await task.result {
                        case .success(let whole): return whole ? "completed" : "mode \(plan.mode): partial output"
                        case .failure(let error): return error is CancellationError ? "cancelled" : "mode \(plan.mode): \(error)"
                        }
                    }
                }
                return await group.reduce(into: [String]()) { $0.append($1) }
            }
            for r in results { outcomes[r, default: 0] += 1 }
        }
        #expect(Set(outcomes.keys).isSubset(of: ["completed", "cancelled"]), "\(outcomes)")
        #expect(try await Self.blocksComputedWhileIdle(model) == 0)
        #expect(try await model.forward(model.batch(["Hello world"])).maxAbsDifference(before) == 0)
    }

    // MARK: - Streams

    @Test func anActivationStreamCancelledByItsConsumerThrows() async throws {
        let model = try await TestModels.fixture()
        let prompts = StreamingTests.prompts
        for taken in [1, 3, 8] {
            let result = await Self.selfCancelling { cancel in
                var count = 0
                for try await _ in model.activationStream(prompts.async, at: [.layerOutput(1)], batchSize: 2) {
                    count += 1
                    if count == taken { cancel() }
                }
                return count
            }
            Self.expectCancelled(result, "activation stream cancelled after \(taken) records")
            #expect(try await Self.blocksComputedWhileIdle(model) == 0, "after \(taken) records")
        }
        #expect(try await Self.blocksComputedWhileIdle(model) == 0)
        var count = 0
        for try await _ in model.activationStream(prompts.prefix(4).async, at: [.layerOutput(1)]) { count += 1 }
        #expect(count == 4)
    }
}
