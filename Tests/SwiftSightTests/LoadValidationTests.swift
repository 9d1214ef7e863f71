import Foundation
import SwiftSight
import Testing

/// The load-time check runs two of the tokenizer's own tokens through the model; a tokenizer
/// whose ids skip 0 and 1 used to fail it with "prompt 0 has no tokens", blaming a prompt the
/// user never wrote.
@Suite struct LoadValidationTests {
    /// A copy of the fixture model whose tokenizer.json vocabulary is rewritten by `edit`
    /// (token → id), with no added tokens.
    func fixtureCopy(editingVocabulary edit: ([String: Int]) -> [String: Int]) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("swiftsight-validation-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for file in ["config.json", "model.safetensors"] {
            try FileManager.default.copyItem(at: TestModels.fixtureDirectory.appendingPathComponent(file),
                                             to: dir.appendingPathComponent(file))
        }
        let source = TestModels.fixtureDirectory.appendingPathComponent("tokenizer.json")
        var tokenizer = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: source)) as? [String: Any])
        var model = try #require(tokenizer["model"] as? [String: Any])
        model["vocab"] = edit(try #require(model["vocab"] as? [String: Int]))
        tokenizer["model"] = model
        tokenizer["added_tokens"] = [Any]()
        try JSONSerialization.data(withJSONObject: tokenizer).write(to: dir.appendingPathComponent("tokenizer.json"))
        return dir
    }

    /// Ids 0 (`<|endoftext|>`) and 1 (`!`) removed: the check probes ids 2 and 3 instead, and
    /// the model loads and traces.
    @Test func tokenizerWhoseIdsSkipZeroAndOneLoads() async throws {
        let dir = try fixtureCopy { $0.filter { $0.value >= 2 } }
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try await StandardizedTransformer(.directory(dir))
        #expect(model.tokenizer.token(forID: 0) == nil && model.tokenizer.token(forID: 1) == nil)
        let logits = try await model.forward(model.batch(["the cat"]))
        #expect(logits.shape.last == 794)
    }

    /// No id below the model's vocab_size: the error names the tokenizer file and the size.
    @Test func tokenizerWithNoIdInTheModelsVocabularyIsNamed() async throws {
        let dir = try fixtureCopy { $0.mapValues { $0 + 1000 } }
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("tokenizer.json").path
        await #expect(throws: ModelValidationError.noTokenInModelVocabulary(file: file, vocabSize: 794)) {
            try await StandardizedTransformer(.directory(dir))
        }
        let error = ModelValidationError.noTokenInModelVocabulary(file: file, vocabSize: 794)
        #expect(error.description.contains(file) && error.description.contains("vocab_size 794"))
    }

    /// Only ids 0 (`<|endoftext|>`, no longer an added token) and 2 (`"`) left below
    /// vocab_size: the probe is ids [0, 2], whose text re-encodes through the tokens for "<|",
    /// "endoftext" and so on, all moved past 794. The error names the tokenizer and the id,
    /// instead of a "prompt 0" token error.
    @Test func tokenizerProducingIdsBeyondTheModelIsNamed() async throws {
        let dir = try fixtureCopy { vocabulary in vocabulary.mapValues { $0 == 0 || $0 == 2 ? $0 : $0 + 1000 } }
        defer { try? FileManager.default.removeItem(at: dir) }
        do {
            _ = try await StandardizedTransformer(.directory(dir))
            Issue.record("the load succeeded")
        } catch let error as ModelValidationError {
            guard case .tokenOutsideModelVocabulary(let file, let id, 794) = error else { Issue.record("got \(error)"); return }
            #expect(file.hasSuffix("tokenizer.json") && id >= 794)
        }
    }
}
