import Foundation
import SwiftSight
import Testing

/// Bad requests fail at once with an error naming the numbers.
@Suite struct GenerationErrorTests {
    @Test func negativeMaxNewTokens() async throws {
        let model = try await GenerationFixtures.model()
        await #expect(throws: GenerationError.negativeMaxNewTokens(-1)) {
            _ = try await model.generate("Hello", maxNewTokens: -1)
        }
    }

    @Test func promptPlusNewTokensBeyondThePositions() async throws {
        let model = try await GenerationFixtures.model()
        let prompt = "My tailor is rich"                                  // 4 tokens; n_positions is 64
        let error = GenerationError.exceedsPositions(prompt: 0, promptTokens: 4, maxNewTokens: 61, maxPositions: 64)
        await #expect(throws: error) { _ = try await model.generate(prompt, maxNewTokens: 61) }
        #expect(error.description.contains("4 tokens") && error.description.contains("61 new tokens")
                && error.description.contains("64") && error.description.contains("at most 60"))
        let ok = try await model.generate(prompt, maxNewTokens: 60, stopAtEndOfText: false)
        #expect(ok.ids.count == 60)
        await #expect(throws: GenerationError.exceedsPositions(prompt: 1, promptTokens: 4, maxNewTokens: 62, maxPositions: 64)) {
            _ = try await model.generate(["Hello", prompt], maxNewTokens: 62)
        }
    }

    @Test func samplingValuesOutOfRange() async throws {
        let model = try await GenerationFixtures.model()
        for (sampling, error) in [(Sampling(temperature: 0), GenerationError.invalidTemperature(0)),
                                  (Sampling(temperature: -1), .invalidTemperature(-1)),
                                  (Sampling(topP: 0), .invalidTopP(0)), (Sampling(topP: 1.5), .invalidTopP(1.5)),
                                  (Sampling(topK: 0), .invalidTopK(0))] {
            await #expect(throws: error) { _ = try await model.generate("Hello", maxNewTokens: 3, sampling: sampling) }
        }
        #expect(GenerationError.invalidTopP(1.5).description.contains("(0, 1]"))
    }

    @Test func emptyPromptsAreModelErrors() async throws {
        let model = try await GenerationFixtures.model()
        await #expect(throws: ModelError.emptyPrompt(prompt: 1)) { _ = try await model.generate(["Hello", ""], maxNewTokens: 3) }
        await #expect(throws: ModelError.noPrompts) { _ = try await model.generate([String](), maxNewTokens: 3) }
    }
}
