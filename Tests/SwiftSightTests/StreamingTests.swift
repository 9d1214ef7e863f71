import Foundation
import SwiftSight
@_spi(Testing) import SwiftSightLayers
import Synchronization
import Testing

@Suite struct StreamingTests {
    static let prompts = (0..<40).map { "Prompt number \($0): the quick brown fox jumps over the lazy dog \($0 % 7) times." }

    @Test func recordsComeInPromptAndForwardOrderAndEqualSingleTraces() async throws {
        let model = try await TestModels.fixture()
        var records: [ActivationRecord] = []
        for try await r in model.activationStream(Self.prompts.async, at: [.layerOutput(2), .layerOutput(0)], batchSize: 3) {
            records.append(r)
        }
        #expect(records.count == Self.prompts.count * 2)
        #expect(records.map(\.index) == (0..<Self.prompts.count).flatMap { [$0, $0] })
        #expect(records.map(\.key).prefix(2) == ["model.transformer.h.0.output", "model.transformer.h.2.output"])
        for i in [0, 17, 39] {
            let (l0, l2) = try await model.trace(Self.prompts[i]) { t in (try await t.layersOutput[0], try await t.layersOutput[2]) }
            #expect(try records[2 * i].value.maxAbsDifference(l0[0]) <= 1e-5)
            #expect(try records[2 * i + 1].value.maxAbsDifference(l2[0]) <= 1e-5)
            #expect(records[2 * i].tokens == model.tokenize(Self.prompts[i]))
        }
    }

    @Test func theForwardPassEndsAtTheLastWatchedPoint() async throws {
        let model = try await TestModels.fixture()
        let before = model.pipeline.statistics
        var count = 0
        for try await r in model.activationStream(Self.prompts.prefix(8).async, at: [.layerOutput(0)], batchSize: 4) {
            let single = try await model.trace(Self.prompts[r.index]) { t in try await t.layersOutput[0] }
            #expect(try r.value.maxAbsDifference(single[0]) <= 1e-5)
            count += 1
        }
        #expect(count == 8)
        let after = model.pipeline.statistics
        // Two groups, each through the embeddings and block 0 only; the 8 single traces end there too.
        #expect(after.blocksComputed - before.blocksComputed == 2 + 8)
    }

    @Test func aSlowConsumerHoldsTheProducerBack() async throws {
        let model = try await TestModels.fixture()
        let produced = Atomic<Int>(0)
        let prompts = AsyncStream<String> { continuation in
            for p in Self.prompts { continuation.yield(p) }
            continuation.finish()
        }
        let counting = prompts.map { p -> String in produced.add(1, ordering: .relaxed); return p }
        var consumed = 0
        for try await _ in model.activationStream(counting, at: [.layerOutput(1)], batchSize: 1) {
            consumed += 1
            if consumed == 3 {
                try await Task.sleep(for: .milliseconds(300))
                // Only the batches that fit in the pipeline's stages and channels were read ahead.
                #expect(produced.load(ordering: .relaxed) <= 3 + 2 * (model.numLayers + 2) + 2)
            }
        }
        #expect(consumed == Self.prompts.count)
    }

    @Test func stoppingIterationEndsTheProducer() async throws {
        let model = try await TestModels.fixture()
        let before = model.blocksComputed
        var seen = 0
        for try await _ in model.activationStream(Self.prompts.async, at: [.layerOutput(1)], batchSize: 1) {
            seen += 1
            if seen == 2 { break }
        }
        try await Task.sleep(for: .milliseconds(300))
        let after = model.blocksComputed
        try await Task.sleep(for: .milliseconds(300))
        #expect(model.blocksComputed == after)
        #expect(after - before < Self.prompts.count * model.numLayers)
    }

    @Test func aBadPromptEndsTheStreamWithAnErrorNamingIt() async throws {
        let model = try await TestModels.fixture()
        let prompts = ["fine", "also fine", String(repeating: "long ", count: 100)]
        var seen = 0
        do {
            for try await _ in model.activationStream(prompts.async, at: [.layerOutput(0)], batchSize: 1) { seen += 1 }
            Issue.record("expected an error")
        } catch let error as ModelError {
            guard case .promptTooLong(2, _, 64) = error else { Issue.record("got \(error)"); return }
        }
        #expect(seen == 2)
    }

    @Test(arguments: [0, -5, Int.min])
    func aBatchSizeBelowOneEndsTheStreamNamingIt(_ batchSize: Int) async throws {
        let model = try await TestModels.fixture()
        await #expect(throws: ActivationStreamError.invalidBatchSize(batchSize)) {
            for try await _ in model.activationStream(["fine"].async, at: [.layerOutput(0)], batchSize: batchSize) {}
        }
        #expect(try await model.trace("fine") { t in try await t.layersOutput[0].shape.last } == model.hiddenSize)
    }
}
