import Foundation
import SwiftSight
import Testing

/// Tokens streamed as they are generated.
@Suite struct GenerationStreamTests {
    @Test func theStreamGivesTheGeneratedTokensInOrder() async throws {
        let model = try await GenerationFixtures.model()
        let reference = try GenerationFixtures.case("tiny-gpt2-single-2")
        var ids: [Int] = [], text = "", steps: [Int] = []
        for try await token in model.generationStream(reference.prompts[0], maxNewTokens: reference.maxNewTokens) {
            ids.append(token.id)
            text += token.text
            steps.append(token.step)
            #expect(token.prompt == 0)
        }
        #expect(ids == reference.newIDs[0])
        #expect(text == reference.texts[0])
        #expect(steps == Array(0..<ids.count))
    }

    @Test func aBatchStreamInterleavesPrompts() async throws {
        let model = try await GenerationFixtures.model()
        let prompts = ["Hello", "My tailor is rich"]
        var ids: [[Int]] = [[], []]
        for try await token in model.generationStream(prompts, maxNewTokens: 6, stopAtEndOfText: false) {
            ids[token.prompt].append(token.id)
        }
        #expect(ids == (try await model.generate(prompts, maxNewTokens: 6, stopAtEndOfText: false)).map(\.ids))
    }

    @Test func stoppingTheLoopStopsTheGeneration() async throws {
        let model = try await GenerationFixtures.model()
        let before = model.blocksComputed
        var taken = 0
        for try await _ in model.generationStream("Hello", maxNewTokens: 40, stopAtEndOfText: false) {
            taken += 1
            if taken == 3 { break }
        }
        try await Task.sleep(for: .milliseconds(300))
        let computed = model.blocksComputed - before
        #expect(taken == 3)
        #expect(computed <= 5 * model.numLayers, "\(computed) blocks computed after taking 3 tokens")
    }

    @Test func badRequestsFailOnTheFirstToken() async throws {
        let model = try await GenerationFixtures.model()
        await #expect(throws: GenerationError.negativeMaxNewTokens(-2)) {
            for try await _ in model.generationStream("Hello", maxNewTokens: -2) {}
        }
    }
}
