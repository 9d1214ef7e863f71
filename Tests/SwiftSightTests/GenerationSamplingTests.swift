import Foundation
import SwiftSight
import Testing

/// Sampling: reproducible with a seed, and the filters behave as their limits say.
@Suite struct GenerationSamplingTests {
    @Test func theSameSeedGivesTheSameTokens() async throws {
        let model = try await GenerationFixtures.model()
        let sampling = Sampling(temperature: 1.2, topK: 50, topP: 0.95, seed: 42)
        let a = try await model.generate("Hello world", maxNewTokens: 20, sampling: sampling, stopAtEndOfText: false)
        let b = try await model.generate("Hello world", maxNewTokens: 20, sampling: sampling, stopAtEndOfText: false)
        #expect(a == b)
        #expect(a.ids.count == 20)
        var other = sampling
        other.seed = 43
        let c = try await model.generate("Hello world", maxNewTokens: 20, sampling: other, stopAtEndOfText: false)
        #expect(c.ids != a.ids)
        let greedy = try await model.generate("Hello world", maxNewTokens: 20, stopAtEndOfText: false)
        #expect(a.ids != greedy.ids)
    }

    @Test func narrowFiltersFallBackToGreedy() async throws {
        let model = try await GenerationFixtures.model()
        let greedy = try await model.generate("My tailor is rich", maxNewTokens: 12, stopAtEndOfText: false)
        for sampling in [Sampling(topK: 1, seed: 1), Sampling(topP: 1e-6, seed: 2), Sampling(temperature: 1e-4, seed: 3)] {
            let out = try await model.generate("My tailor is rich", maxNewTokens: 12, sampling: sampling, stopAtEndOfText: false)
            #expect(out.ids == greedy.ids, "\(sampling)")
        }
    }

    @Test func topKKeepsOnlyTheMostLikelyTokens() async throws {
        let model = try await GenerationFixtures.model()
        let prompt = "Hello"
        let logits = try await model.forward(TokenBatch([model.tokenize(prompt)]))
        let last = try logits[0][logits.shape[1] - 1].scalars
        let top3 = Set(last.indices.sorted { last[$0] > last[$1] }.prefix(3))
        for seed in 0..<40 {
            let out = try await model.generate(prompt, maxNewTokens: 1, sampling: Sampling(temperature: 5, topK: 3, seed: UInt64(seed)))
            #expect(top3.contains(out.ids[0]))
        }
    }

    @Test func aBatchSamplesEachPromptFromItsOwnStream() async throws {
        let model = try await GenerationFixtures.model()
        let sampling = Sampling(temperature: 0.9, seed: 7)
        let batch = try await model.generate(["Hello", "My tailor is rich"], maxNewTokens: 10, sampling: sampling,
                                             stopAtEndOfText: false)
        let alone = try await model.generate("Hello", maxNewTokens: 10, sampling: sampling, stopAtEndOfText: false)
        #expect(batch[0] == alone)
        #expect(batch == (try await model.generate(["Hello", "My tailor is rich"], maxNewTokens: 10, sampling: sampling,
                                                   stopAtEndOfText: false)))
    }
}
