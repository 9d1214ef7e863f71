import Testing
import Synchronization
import SwiftSightActors
import SwiftSightHooks
import SwiftSightLayers
import SwiftSightModels

/// The pipeline with a weightless model (FakeModel.swift): every point fired on the bus in
/// forward order, an edit, stop, cancellation, and concurrent runs on one pipeline (merged
/// where they meet at a busy stage).
@Suite struct PipelineTests {
    /// Sequences [1, 2] and [3]: after two blocks (x → 2x + 1 each), 4x + 3.
    static let batch = TokenBatch([[1, 2], [3]])

    final class Recorder: HookObserver {
        let points: Set<HookPoint>
        let seen = Mutex<[HookPoint]>([])
        init(layers: Int) { points = Set(HookPoint.all(layers: layers)) }
        func observe(_ point: HookPoint, _ value: Tensor, layout: SequenceLayout) { seen.withLock { $0.append(point) } }
    }

    final class Flag: Sendable {
        private let value = Mutex(false)
        func set() { value.withLock { $0 = true } }
        var isSet: Bool { value.withLock { $0 } }
    }

    @Test func aRunFiresEveryPointInForwardOrderAndReturnsTheLogits() async throws {
        let pipeline = Pipeline(model: FakeModel(layers: 2))
        let recorder = Recorder(layers: 2)
        let bus = HookBus(layout: Self.batch.layout, invokeSequences: [0..<2], layers: 2, observers: [recorder])
        bus.interventionFinished(invoke: 0)
        let logits = try await pipeline.run(Self.batch, bus: bus)
        #expect(logits?.scalars == [7, 11, 15])
        #expect(recorder.seen.withLock { $0 } == HookPoint.all(layers: 2))
        #expect(pipeline.blocksComputed == 2)
    }

    @Test func anEditInOneBlockReachesTheLogits() async throws {
        let pipeline = Pipeline(model: FakeModel(layers: 2))
        let bus = HookBus(layout: Self.batch.layout, invokeSequences: [0..<1, 1..<2], layers: 2)
        async let logits = pipeline.run(Self.batch, bus: bus)
        // Invokes are served in order: the forward pass waits for invoke 0 to say what it needs.
        bus.interventionFinished(invoke: 0)
        try await bus.edit(.mlpOutput(0), invoke: 1) { $0 = Tensor(uncheckedShape: $0.shape, values: [0]) }
        bus.interventionFinished(invoke: 1)
        // Sequence [3]: layer 0 gives 4 + 0, layer 1 gives 2·4 + 1.
        #expect(try await logits?.scalars == [7, 11, 9])
    }

    @Test func stopLeavesTheLaterBlocksUncomputed() async throws {
        let pipeline = Pipeline(model: FakeModel(layers: 3))
        let bus = HookBus(layout: Self.batch.layout, invokeSequences: [0..<2], layers: 3)
        async let logits = pipeline.run(Self.batch, bus: bus)
        _ = try await bus.value(at: .layerOutput(0), invoke: 0)
        bus.stop()
        bus.interventionFinished(invoke: 0)
        #expect(try await logits == nil)
        #expect(bus.stoppedAfter == .layerOutput(0))
        #expect(pipeline.blocksComputed == 1)
    }

    /// Set up as a trace is: the run and the intervention in one task group, an intervention's
    /// error aborting the bus. (The intervention's side is what notices a cancellation: a stage
    /// computes in its own task, so a run cancelled without its interventions stays parked.)
    @Test func cancellingATraceAbortsItsBusAndLeavesThePipelineUsable() async throws {
        let pipeline = Pipeline(model: FakeModel(layers: 2))
        let bus = HookBus(layout: Self.batch.layout, invokeSequences: [0..<2], layers: 2)
        let holding = Flag()
        let trace = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { _ = try await pipeline.run(Self.batch, bus: bus) }
                group.addTask {
                    do {
                        _ = try await bus.value(at: .layerOutput(0), invoke: 0)
                        holding.set()
                        // Holds the point (the forward pass stays parked) until cancelled.
                        try await Task.sleep(for: .seconds(600))
                        bus.interventionFinished(invoke: 0)
                    } catch {
                        bus.abort(error)
                        throw error
                    }
                }
                try await group.waitForAll()
            }
        }
        while !holding.isSet { try await Task.sleep(for: .milliseconds(1)) }
        trace.cancel()
        await #expect(throws: CancellationError.self) { try await trace.value }
        #expect(bus.failure is CancellationError)
        let again = HookBus.passive(layout: Self.batch.layout, layers: 2)
        #expect(try await pipeline.run(Self.batch, bus: again)?.scalars == [7, 11, 15])
    }

    @Test func concurrentRunsOnOnePipelineEachGetTheirOwnResult() async throws {
        let pipeline = Pipeline(model: FakeModel(layers: 2))
        let batches = (1...6).map { TokenBatch([[$0], [$0, $0 + 1]]) }
        let results = try await withThrowingTaskGroup(of: (Int, [Float]).self) { group in
            for (i, batch) in batches.enumerated() {
                group.addTask {
                    let bus = HookBus(layout: batch.layout, invokeSequences: [0..<1, 1..<2], layers: 2)
                    // Each run edits its own first sequence at layers_output.0: merged runs must keep it apart.
                    async let logits = pipeline.run(batch, bus: bus)
                    bus.interventionFinished(invoke: 1)
                    try await bus.edit(.layerOutput(0), invoke: 0) { $0 = Tensor(uncheckedShape: $0.shape, values: [Float(-i)]) }
                    bus.interventionFinished(invoke: 0)
                    return (i, try await logits?.scalars ?? [])
                }
            }
            return try await group.reduce(into: [Int: [Float]]()) { $0[$1.0] = $1.1 }
        }
        for (i, batch) in batches.enumerated() {
            let t = Float(batch.sequences[0][0])
            #expect(results[i] == [2 * Float(-i) + 1, 4 * t + 3, 4 * (t + 1) + 3])
        }
        let statistics = pipeline.statistics
        #expect(statistics.stageItems == 6 * 4)
        #expect(statistics.stageComputations <= statistics.stageItems)
    }
}
