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

    @Test func hugeMaxNewTokensIsAnErrorNotAnOverflow() async throws {
        let model = try await GenerationFixtures.model()
        let tokens = model.tokenize("Hello").count
        for n in [Int.max, Int.max - tokens + 1, 1 << 62] {
            let error = GenerationError.exceedsPositions(prompt: 0, promptTokens: tokens, maxNewTokens: n, maxPositions: 64)
            await #expect(throws: error) { _ = try await model.generate("Hello", maxNewTokens: n) }
            await #expect(throws: error) { for try await _ in model.generationStream("Hello", maxNewTokens: n) {} }
            #expect(error.description.contains("\(n) new tokens (maxNewTokens)"), "\(error)")
        }
        await #expect(throws: GenerationError.exceedsPositions(prompt: 0, promptTokens: 4, maxNewTokens: Int.max, maxPositions: 64)) {
            _ = try await model.generate(["My tailor is rich", "Hello"], maxNewTokens: Int.max) { _, _ in () }
        }
        #expect(try await model.generate("Hello", maxNewTokens: 2).ids.count <= 2)
    }

    @Test func stopTokensOutsideTheVocabularyAreErrors() async throws {
        let model = try await GenerationFixtures.model()
        for id in [794, -1, Int.max, Int.min] {
            await #expect(throws: GenerationError.stopTokenOutOfRange(id, vocabSize: 794)) {
                _ = try await model.generate("Hello", maxNewTokens: 3, stopTokens: [5, id])
            }
        }
        #expect(GenerationError.stopTokenOutOfRange(794, vocabSize: 794).description.contains("0..<794"))
    }

    /// A context the configuration allows but the generation never fills reserves no memory for it:
    /// the KV cache grows as tokens arrive (here 2^32 new tokens allowed, two produced).
    @Test func aHugeAllowedContextIsNotReservedUpFront() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("swiftsight-huge-context-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = GenerationFixtures.root.appendingPathComponent("architectures/tiny-llama")
        try FileManager.default.copyItem(at: source, to: folder)
        let configURL = folder.appendingPathComponent("config.json")
        var config = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: configURL)) as? [String: Any])
        config["max_position_embeddings"] = 1 << 33
        try JSONSerialization.data(withJSONObject: config).write(to: configURL)
        let model = try await StandardizedTransformer(.directory(folder))
        let run = try await model.generate("Hello", maxNewTokens: 1 << 32, stopAtEndOfText: false, steps: 2...2) { _, t in t.stop() }
        #expect(run.output?.ids.count == 2 && run.output?.stopReason == .stopped)
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
