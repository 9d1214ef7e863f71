import Foundation
import SwiftSight
@_spi(Testing) import SwiftSightLayers
import Testing

/// Greedy generation against Hugging Face `generate(do_sample=False)`, and the KV cache
/// against full recomputation.
@Suite struct GenerationTests {
    @Test func greedyEqualsHuggingFaceTokenForToken() async throws {
        let cases = try GenerationFixtures.cases()
        #expect(cases.count >= 10)
        var models: [String: StandardizedTransformer] = [:]
        for c in cases {
            if models[c.model] == nil { models[c.model] = try await GenerationFixtures.model(c.model) }
            let model = try #require(models[c.model])
            #expect(c.prompts.map(model.tokenize) == c.promptIDs, "\(c.name): tokenization")
            let outputs = try await model.generate(c.prompts, maxNewTokens: c.maxNewTokens, stopTokens: c.stopTokens)
            #expect(outputs.map(\.ids) == c.newIDs, "\(c.name)")
            #expect(outputs.map(\.text) == c.texts, "\(c.name)")
            for (out, ids) in zip(outputs, c.newIDs) {
                let stops = Set([c.eos] + c.stopTokens)
                let expected: StopReason = ids.last.map { stops.contains($0) } == true ? .stopToken(ids.last ?? -1) : .maxNewTokens
                #expect(out.stopReason == expected, "\(c.name)")
            }
        }
    }

    @Test func theReferencesCoverLongRunsBatchesAndStops() throws {
        let cases = try GenerationFixtures.cases()
        #expect(cases.contains { $0.newIDs.contains { $0.count >= 20 } })
        #expect(cases.contains { $0.prompts.count > 1 && Set($0.promptIDs.map(\.count)).count > 1 })
        #expect(cases.contains { c in !c.stopTokens.isEmpty && c.newIDs[0].count < c.maxNewTokens })
        #expect(cases.contains { c in c.newIDs.contains { $0.last == c.eos } }, "an end-of-text stop")
        #expect(Set(cases.map(\.model)) == ["tiny-gpt2", "tiny-gpt2-variants/flags-f32"])
    }

    @Test func cachedLogitsAtEveryStepEqualAFullRecompute() async throws {
        let model = try await GenerationFixtures.model()
        let prompt = "Once upon a time"
        let run = try await model.generate(prompt, maxNewTokens: 12, stopAtEndOfText: false) { _, t in
            try await t.logits
        }
        let output = try #require(run.output)
        #expect(run.values.count == 12)
        var sequence = model.tokenize(prompt)
        for step in 0..<12 {
            let cached = try #require(run.values[step])
            #expect(cached.shape == [1, step == 0 ? sequence.count : 1, model.vocabSize])
            let full = try await model.forward(TokenBatch([sequence]))
            let last = try full[0][sequence.count - 1]
            #expect(try cached[0][cached.shape[1] - 1].maxAbsDifference(last) <= 1e-4, "step \(step)")
            if step == 0 { #expect(try cached[0].maxAbsDifference(full[0]) <= 1e-4) }
            sequence.append(output.ids[step])
        }
    }

    @Test func aBatchOfDifferentLengthsEqualsEachPromptAlone() async throws {
        let model = try await GenerationFixtures.model()
        let prompts = ["Hello", "My tailor is rich", "The quick brown fox jumps over the lazy dog."]
        let batch = try await model.generate(prompts, maxNewTokens: 15, stopTokens: [model.tokenize(" the")[0]])
        for (prompt, out) in zip(prompts, batch) {
            let alone = try await model.generate(prompt, maxNewTokens: 15, stopTokens: [model.tokenize(" the")[0]])
            #expect(out == alone, "\(prompt)")
        }
        #expect(Set(prompts.map { model.tokenize($0).count }).count == 3)
    }

    @Test func stopTokensEndEachSequenceOnItsOwn() async throws {
        let model = try await GenerationFixtures.model()
        let free = try await model.generate(["My tailor is rich", "Hello world"], maxNewTokens: 10, stopAtEndOfText: false)
        let stop = free[0].ids[2]
        let stopped = try await model.generate(["My tailor is rich", "Hello world"], maxNewTokens: 10, stopTokens: [stop],
                                               stopAtEndOfText: false)
        let cut = try #require(free[0].ids.firstIndex(of: stop))
        #expect(stopped[0].ids == Array(free[0].ids[...cut]))
        #expect(stopped[0].stopReason == .stopToken(stop))
        let other = free[1].ids.firstIndex(of: stop).map { Array(free[1].ids[...$0]) } ?? free[1].ids
        #expect(stopped[1].ids == other)
    }

    @Test func concurrentGenerationsEqualEachAloneWhenTheirStepsAreMerged() async throws {
        let model = try await GenerationFixtures.model()
        let prompts = ["Hello", "My tailor is rich", "The quick brown fox jumps over the lazy dog.", "Once upon a time", "Paris"]
        var alone: [GeneratedText] = []
        for p in prompts { alone.append(try await model.generate(p, maxNewTokens: 12, stopAtEndOfText: false)) }
        let before = model.pipeline.statistics
        let together = try await withThrowingTaskGroup(of: (Int, GeneratedText).self) { group in
            for (i, p) in prompts.enumerated() {
                group.addTask { (i, try await model.generate(p, maxNewTokens: 12, stopAtEndOfText: false)) }
            }
            var out = [GeneratedText?](repeating: nil, count: prompts.count)
            for try await (i, g) in group { out[i] = g }
            return out.compactMap { $0 }
        }
        #expect(together == alone)
        let after = model.pipeline.statistics
        #expect(after.stageItems - before.stageItems == prompts.count * 12 * (model.numLayers + 2))
    }

    @Test func zeroNewTokensGivesNothing() async throws {
        let model = try await GenerationFixtures.model()
        let out = try await model.generate("Hello", maxNewTokens: 0)
        #expect(out.ids.isEmpty && out.text.isEmpty && out.stopReason == .maxNewTokens)
        #expect(out.promptIDs == model.tokenize("Hello"))
    }

    @Test func stepsDoNotRecomputeThePrefix() async throws {
        let model = try await GenerationFixtures.model()
        let before = model.pipeline.statistics
        _ = try await model.generate("My tailor is rich", maxNewTokens: 6, stopAtEndOfText: false)
        let after = model.pipeline.statistics
        #expect(after.blocksComputed - before.blocksComputed == 6 * model.numLayers)
        // Each step after the prompt pass computes one row: the step's layer-0 input is [1, 1, 64].
        let run = try await model.generate("My tailor is rich", maxNewTokens: 3, stopAtEndOfText: false) { _, t in
            try await t.layersInput[0].shape
        }
        #expect(run.values[0] == [1, 4, 64] && run.values[1] == [1, 1, 64] && run.values[2] == [1, 1, 64])
    }
}
