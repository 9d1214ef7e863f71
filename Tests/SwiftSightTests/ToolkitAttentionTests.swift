import Foundation
import SwiftSight
@_spi(Testing) import SwiftSightLayers
import Synchronization
import Testing

@Suite struct ToolkitAttentionTests {
    @Test func attentionProbabilitiesMatchTransformersEagerAttention() async throws {
        let model = try await ToolkitFixtures.model()
        let prompts = ["My tailor is rich", "Hello world"]
        let layers = model.numLayers
        for (k, prompt) in prompts.enumerated() {
            let probs = try await model.trace(prompt) { t in
                var out: [Tensor] = []
                for i in 0..<layers { out.append(try await t.attentionProbabilities[i]) }
                return out
            }
            for i in 0..<layers {
                let reference = try ToolkitFixtures.reference("attention.\(k).\(i)")
                #expect(probs[i].shape == reference.shape)
                #expect(try probs[i].maxAbsDifference(reference) <= 1e-4, "attention.\(k).\(i)")
            }
        }
    }

    @Test func rowsSumToOneAndBatchesAreLeftPadded() async throws {
        let model = try await ToolkitFixtures.model()
        let (batched, alone) = (
            try await model.trace(["My tailor is rich", "Hello world"]) { t in try await t.attentionProbabilities[1] },
            try await model.trace("Hello world") { t in try await t.attentionProbabilities[1] })
        #expect(batched.shape == [2, model.numHeads, 4, 4])
        for b in 0..<2 {
            for h in 0..<model.numHeads {
                for q in (b == 0 ? 0 : 2)..<4 {
                    let sum = try (0..<4).reduce(Float(0)) { try $0 + batched[element: [b, h, q, $1]] }
                    #expect(abs(sum - 1) <= 1e-5)
                }
            }
        }
        // The second prompt's rows, without padding, equal running it alone.
        for h in 0..<model.numHeads {
            for q in 0..<2 {
                for k in 0..<2 {
                    #expect(try abs(batched[element: [1, h, 2 + q, 2 + k]] - alone[element: [0, h, q, k]]) <= 1e-5)
                }
            }
        }
    }

    @Test func readingProbabilitiesKeepsTheLogitsAndReplacingThemChangesThem() async throws {
        let model = try await ToolkitFixtures.model()
        let plain = try await model.trace("My tailor is rich") { t in try await t.logits }
        let read = try await model.trace("My tailor is rich") { t in
            _ = try await t.attentionProbabilities[0]
            return try await t.logits
        }
        #expect(try read.maxAbsDifference(plain) <= 1e-5)
        // Every query attends to the first token only: the attention output is then value 0's row.
        let (logits, attention, probabilities) = try await model.trace("My tailor is rich") { t in
            try await t.attentionProbabilities.edit(0) { p in
                let (heads, n) = (p.shape[1], p.shape[2])
                p = try Tensor(shape: p.shape, values: (0..<(heads * n * n)).map { $0 % n == 0 ? 1 : 0 })
            }
            let attention = try await t.attentionsOutput[0]
            let probabilities = try await t.attentionProbabilities[1]
            return (try await t.logits, attention, probabilities)
        }
        #expect(try logits.maxAbsDifference(plain) > 1e-3)
        #expect(try attention[0][3].maxAbsDifference(attention[0][0]) <= 1e-6)
        #expect(probabilities.shape == [1, model.numHeads, 4, 4])
    }

    @Test func cachedByModulePathAndSkippedWhenNobodyAsks() async throws {
        let model = try await ToolkitFixtures.model()
        let naming = model.info.naming
        #expect(naming.envoyKey(of: .attentionProbabilities(2)) == "model.transformer.h.2.attn.attention_probabilities.output")
        #expect(try naming.resolve("transformer.h.2.attn.attention_probabilities", layers: 3) == .attentionProbabilities(2))
        #expect(try naming.resolve("attention_probabilities.1", layers: 3) == .attentionProbabilities(1))
        #expect(HookPoint.attentionInput(0) < .attentionProbabilities(0) && HookPoint.attentionProbabilities(0) < .attentionOutput(0))
        let all = HookPoint.all(layers: 3, includingAttentionProbabilities: true)
        #expect(all == all.sorted() && all.count == 3 + 3 * 7)
        let (cache, _) = try await model.activations(of: ["My tailor is rich"], at: [.attentionProbabilities(2)])
        let cached = try #require(cache["model.transformer.h.2.attn.attention_probabilities"]?.output)
        #expect(cached.shape == [1, 4, 4, 4])
        // Reading it out of order is the usual error.
        await #expect(throws: TraceError.self) {
            try await model.trace("Hello") { t in
                _ = try await t.attentionsOutput[0]
                return try await t.attentionProbabilities[0]
            }
        }
    }
}

@Suite struct ToolkitAttentionConcurrencyTests {
    @Test func concurrentTracesWithAndWithoutProbabilitiesAreIndependent() async throws {
        let model = try await ToolkitFixtures.model()
        let reference = try ToolkitFixtures.reference("attention.1.2")
        let plain = try await model.trace("My tailor is rich") { t in try await t.logits }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<8 {
                group.addTask {
                    if i.isMultiple(of: 2) {
                        let p = try await model.trace("Hello world") { t in try await t.attentionProbabilities[2] }
                        #expect(try p.maxAbsDifference(reference) <= 1e-4)
                    } else {
                        let logits = try await model.trace("My tailor is rich") { t in try await t.logits }
                        #expect(try logits.maxAbsDifference(plain) <= 1e-5)
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}
