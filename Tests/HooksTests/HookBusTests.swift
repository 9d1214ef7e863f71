import Testing
@testable import SwiftSightHooks
import SwiftSightLayers
import Synchronization

/// The bus driven by a fake two-layer forward pass (FakeForward.swift) while intervention tasks
/// read, edit, skip and stop: the lockstep, stop, cancellation, several buses reached by one
/// forward pass (merged traces), observers.
///
/// Two sequences of lengths 2 and 1, width 2; sequence s starts as s + 1 everywhere, and each
/// layer maps x to 3·(2x + 1) = 6x + 3, so sequence 1 reads 1 → 9 → 57 and sequence 2 reads
/// 2 → 15 → 93.
@Suite struct HookBusTests {
    static let layout = SequenceLayout(lengths: [2, 1])

    /// One invoke per sequence.
    static func bus(observers: [HookObserver] = []) -> HookBus {
        HookBus(layout: layout, invokeSequences: [0..<1, 1..<2], layers: FakeForward.layers, observers: observers)
    }

    struct Boom: Error {}

    @Test func invokesReadEveryPointTheyAskForInForwardOrder() async throws {
        let bus = Self.bus()
        let (logits, values) = try await trace(FakeForward([bus]), invokes: [
            Intervention(bus, 0, { bus, i in
                [try await bus.value(at: .tokenEmbeddings, invoke: i).scalars,
                 try await bus.value(at: .attentionOutput(0), invoke: i).scalars,
                 try await bus.value(at: .layerOutput(0), invoke: i).scalars,
                 try await bus.value(at: .logits, invoke: i).scalars]
            }),
            Intervention(bus, 1, { bus, i in [try await bus.value(at: .layerOutput(1), invoke: i).scalars] }),
        ])
        #expect(values[0] == [[1, 1, 1, 1], [2, 2, 2, 2], [9, 9, 9, 9], [57, 57, 57, 57]])
        // Views are [sequences, length, width].
        #expect(values[1] == [[93, 93]])
        #expect(logits?.scalars == [57, 57, 57, 57, 93, 93])
    }

    @Test func anEditReachesEverythingDownstreamAndOnlyItsRows() async throws {
        let bus = Self.bus()
        let (logits, values) = try await trace(FakeForward([bus]), invokes: [
            Intervention(bus, 0, { bus, i in
                try await bus.edit(.layerOutput(0), invoke: i) { $0 = Tensor(uncheckedShape: $0.shape, values: [0, 0, 0, 0]) }
                return try await bus.value(at: .layerInput(1), invoke: i).scalars
            }),
            Intervention(bus, 1, { bus, i in try await bus.value(at: .logits, invoke: i).scalars }),
        ])
        #expect(values == [[0, 0, 0, 0], [93, 93]])
        #expect(logits?.scalars == [3, 3, 3, 3, 93, 93])
    }

    @Test func anEditMustKeepTheShape() async throws {
        let bus = Self.bus()
        await #expect(throws: TraceError.shapeMismatch(.layerOutput(0), expected: [1, 2, 2], got: [1])) {
            _ = try await trace(FakeForward([bus]), invokes: [
                Intervention(bus, 0, { bus, i in try await bus.edit(.layerOutput(0), invoke: i) { $0 = Tensor(uncheckedShape: [1], values: [0]) } }),
                Intervention(bus, 1, { _, _ in () }),
            ])
        }
    }

    @Test func requestsOutOfOrderOrBeyondTheModelFailAtOnce() async throws {
        let bus = Self.bus()
        let (_, errors) = try await trace(FakeForward([bus]), invokes: [
            Intervention(bus, 0, { bus, i -> [TraceError] in
                _ = try await bus.value(at: .layerOutput(1), invoke: i)
                var errors: [TraceError] = []
                for point in [HookPoint.layerInput(0), .layerInput(2)] {
                    do { _ = try await bus.value(at: point, invoke: i) } catch let error as TraceError { errors.append(error) }
                }
                return errors
            }),
            Intervention(bus, 1, { _, _ in [] }),
        ])
        let expected: [TraceError] = [.outOfOrder(requested: .layerInput(0), passed: .layerOutput(1)),
                                      .layerOutOfRange(.layerInput(2), layers: 2)]
        #expect(errors[0] == expected)
    }

    @Test func aSkippedLayerPassesItsInputAndHidesItsInnerPoints() async throws {
        let bus = Self.bus()
        let forward = FakeForward([bus])
        let (logits, values) = try await trace(forward, invokes: [
            Intervention(bus, 0, { bus, i -> [String] in
                try await bus.skip(layer: 1, invoke: i, output: nil)
                var seen: [String] = []
                do { _ = try await bus.value(at: .mlpOutput(1), invoke: i) } catch let error as TraceError {
                    if case .neverReached(.mlpOutput(1), _) = error { seen.append("mlps_output.1 never reached") }
                }
                seen.append("\(try await bus.value(at: .layerOutput(1), invoke: i).scalars)")
                return seen
            }),
            Intervention(bus, 1, { bus, i in ["\(try await bus.value(at: .mlpOutput(1), invoke: i).scalars)"] }),
        ])
        #expect(values == [["mlps_output.1 never reached", "[9.0, 9.0, 9.0, 9.0]"], ["[62.0, 62.0]"]])
        #expect(logits?.scalars == [9, 9, 9, 9, 93, 93])
        // The block was computed for the other invoke's rows.
        #expect(forward.blocksComputed.value == 2)
    }

    @Test func skippingAfterTheLayerInputPassedIsTooLate() async throws {
        let bus = Self.bus()
        await #expect(throws: TraceError.skipTooLate(layer: 0, passed: .layerOutput(0))) {
            _ = try await trace(FakeForward([bus]), invokes: [
                Intervention(bus, 0, { bus, i in
                    _ = try await bus.value(at: .layerOutput(0), invoke: i)
                    try await bus.skip(layer: 0, invoke: i, output: nil)
                }),
                Intervention(bus, 1, { _, _ in () }),
            ])
        }
    }

    @Test func stopEndsThePassAfterTheCurrentPoint() async throws {
        let bus = Self.bus()
        let forward = FakeForward([bus])
        let (logits, _) = try await trace(forward, invokes: [
            Intervention(bus, 0, { bus, i in
                _ = try await bus.value(at: .layerOutput(0), invoke: i)
                bus.stop()
            }),
            Intervention(bus, 1, { bus, i in
                // Asked after the stop point: the pass never gets there.
                do { _ = try await bus.value(at: .layerOutput(1), invoke: i) } catch TraceError.neverReached(.layerOutput(1), _) {}
            }),
        ])
        #expect(logits == nil)
        #expect(bus.isStopRequested)
        #expect(bus.stoppedAfter == .layerOutput(0))
        #expect(forward.blocksComputed.value == 1)
    }

    @Test func anInterventionsErrorFailsTheForwardPassAndTheOtherInvokes() async throws {
        let bus = Self.bus()
        let otherSaw = Mutex<String?>(nil)
        await #expect(throws: Boom.self) {
            _ = try await trace(FakeForward([bus]), invokes: [
                Intervention(bus, 0, { bus, i in
                    _ = try await bus.value(at: .layerOutput(0), invoke: i)
                    throw Boom()
                }),
                Intervention(bus, 1, { bus, i in
                    do { _ = try await bus.value(at: .logits, invoke: i) } catch { otherSaw.withLock { $0 = "\(type(of: error))" } }
                }),
            ])
        }
        #expect(bus.failure is Boom)
        #expect(otherSaw.withLock { $0 } == "Boom")
    }

    @Test func cancellingTheCallerAbortsTheBusAndEndsEveryone() async throws {
        let bus = Self.bus()
        let holding = Mutex(false)
        let task = Task {
            try await trace(FakeForward([bus]), invokes: [
                Intervention(bus, 0, { bus, i in
                    _ = try await bus.value(at: .layerOutput(0), invoke: i)
                    holding.withLock { $0 = true }
                    // Holds the point (the forward pass stays parked) until cancelled.
                    try await Task.sleep(for: .seconds(600))
                }),
                Intervention(bus, 1, { bus, i in _ = try await bus.value(at: .logits, invoke: i) }),
            ])
        }
        while !holding.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(1)) }
        task.cancel()
        await #expect(throws: CancellationError.self) { _ = try await task.value }
        #expect(bus.failure is CancellationError)
        // Later requests fail with the same error rather than waiting.
        await #expect(throws: CancellationError.self) { _ = try await bus.value(at: .logits, invoke: 1) }
    }

    @Test func aRequestAfterTheEndFailsWithTheReason() async throws {
        let bus = Self.bus()
        bus.finish(reason: "the forward pass completed without producing it")
        await #expect(throws: TraceError.neverReached(.logits, reason: "the forward pass completed without producing it")) {
            _ = try await bus.value(at: .logits, invoke: 0)
        }
    }

    @Test func optionalPointsAreWantedOnlyWhenAskedFor() async throws {
        let bus = Self.bus()
        #expect(!bus.wants(.attentionProbabilities(0)))
        let (_, values) = try await trace(FakeForward([bus]), invokes: [
            Intervention(bus, 0, { bus, i in
                let wanted = bus.wants(.attentionProbabilities(1))
                return [try await bus.value(at: .attentionProbabilities(0), invoke: i).shape, wanted ? [1] : [0]]
            }),
            Intervention(bus, 1, { bus, i in [bus.wants(.attentionProbabilities(1)) ? [1] : [0]] }),
        ])
        #expect(values[0] == [[1, 2, 1], [0]])
        #expect(values[1] == [[0]])
    }

    @Test func aPassiveBusLetsEveryPointThrough() async throws {
        let bus = HookBus.passive(layout: Self.layout, layers: FakeForward.layers)
        #expect(bus.isDone(before: .tokenEmbeddings))
        let logits = try await FakeForward([bus]).run()
        #expect(logits.scalars == [57, 57, 57, 57, 93, 93])
    }

    // MARK: - Observers

    final class Recorder: HookObserver {
        let points: Set<HookPoint>
        let seen = Mutex<[String]>([])
        init(_ points: Set<HookPoint>) { self.points = points }
        func observe(_ point: HookPoint, _ value: Tensor, layout: SequenceLayout) {
            seen.withLock { $0.append("\(point.name) \(value.scalars)") }
        }
    }

    @Test func observersSeeTheirPointsAfterEveryEdit() async throws {
        let recorder = Recorder([.layerOutput(0), .logits])
        let bus = Self.bus(observers: [recorder])
        #expect(!bus.isDone(before: .logits))
        _ = try await trace(FakeForward([bus]), invokes: [
            Intervention(bus, 0, { bus, i in try await bus.edit(.layerOutput(0), invoke: i) { $0 = Tensor(uncheckedShape: $0.shape, values: [0, 0, 0, 0]) } }),
            Intervention(bus, 1, { _, _ in () }),
        ])
        #expect(recorder.seen.withLock { $0 } == ["layers_output.0 [0.0, 0.0, 0.0, 0.0, 15.0, 15.0]",
                                                  "logits [3.0, 3.0, 3.0, 3.0, 93.0, 93.0]"])
        #expect(bus.isDone(before: .tokenEmbeddings) == false)
    }

    // MARK: - Several buses, one forward pass (merged traces)

    @Test func twoBusesReachedByOneForwardPassKeepTheirRowsApart() async throws {
        let first = HookBus(layout: SequenceLayout(lengths: [1]), invokeSequences: [0..<1], layers: FakeForward.layers)
        let second = HookBus(layout: SequenceLayout(lengths: [2]), invokeSequences: [0..<1], layers: FakeForward.layers)
        let forward = FakeForward([first, second])
        let (logits, values) = try await trace(forward, invokes: [
            Intervention(first, 0, { bus, i in
                try await bus.edit(.layerOutput(0), invoke: i) { $0 = Tensor(uncheckedShape: $0.shape, values: [0, 0]) }
                return try await bus.value(at: .logits, invoke: i).scalars
            }),
            Intervention(second, 0, { bus, i in try await bus.value(at: .layerOutput(1), invoke: i).scalars }),
        ])
        #expect(values == [[3, 3], [93, 93, 93, 93]])
        #expect(logits?.scalars == [3, 3, 93, 93, 93, 93])
    }

    @Test func oneMergedTraceStoppingLeavesTheOtherRunning() async throws {
        let first = HookBus(layout: SequenceLayout(lengths: [1]), invokeSequences: [0..<1], layers: FakeForward.layers)
        let second = HookBus(layout: SequenceLayout(lengths: [1]), invokeSequences: [0..<1], layers: FakeForward.layers)
        let forward = FakeForward([first, second])
        let (logits, values) = try await trace(forward, invokes: [
            Intervention(first, 0, { bus, i in
                _ = try await bus.value(at: .tokenEmbeddings, invoke: i)
                bus.stop()
                return [Float]()
            }),
            Intervention(second, 0, { bus, i in try await bus.value(at: .logits, invoke: i).scalars }),
        ])
        #expect(values == [[], [93, 93]])
        #expect(first.stoppedAfter == .tokenEmbeddings)
        #expect(second.stoppedAfter == nil)
        // The stopped trace's rows ride along with the others' (its bus is no longer reached).
        #expect(logits?.scalars == [57, 57, 93, 93])
    }
}
