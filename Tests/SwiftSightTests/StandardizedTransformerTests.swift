import Foundation
import SwiftSight
@_spi(Testing) import SwiftSightLayers
import Testing

/// The public API end to end on the fixture model: its tokenizer, predictions and errors.
/// (The embedded demo model has its own suite, EmbeddedModelTests.)
@Suite struct StandardizedTransformerTests {
    static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    @Test func fixtureModelLoadsWithItsTokenizer() async throws {
        let model = try await TestModels.fixture()
        #expect(model.numLayers == 3 && model.hiddenSize == 64 && model.numHeads == 4 && model.vocabSize == 794)
        let reference = try SafetensorsFile(url: Self.fixtures.appendingPathComponent("activations/tailor.safetensors"))
        let ids = try reference.int64s("input_ids").map(Int.init)
        #expect(model.tokenize("My tailor is rich") == ids)
    }

    @Test func predictionsFollowTheReferenceLogits() async throws {
        let model = try await TestModels.fixture()
        let reference = try SafetensorsFile(url: Self.fixtures.appendingPathComponent("activations/tailor.safetensors"))
        let logits = try reference.tensor("model.lm_head.output")
        let last = try logits[0][logits.shape[1] - 1]
        let probabilities = Softmax.apply(last).scalars
        let top = try await model.predictions(for: "My tailor is rich", top: 10)
        #expect(top.count == 10)
        let best = probabilities.indices.max { probabilities[$0] < probabilities[$1] }
        #expect(top[0].id == best)
        for p in top { #expect(abs(p.probability - probabilities[p.id]) < 1e-5) }
        #expect(zip(top, top.dropFirst()).allSatisfy { $0.probability >= $1.probability })
    }

    @Test func activationsAreKeyedByModuleNames() async throws {
        let model = try await TestModels.fixture()
        let prompts = ["My tailor is rich", "Hello", "The quick brown fox jumps over the lazy dog."]
        let (cache, batch) = try await model.activations(of: prompts, at: [.layerOutput(1), .logits])
        #expect(cache.keys == ["model.transformer.h.1", "model.lm_head"])
        let reference = try SafetensorsFile(url: Self.fixtures.appendingPathComponent("activations/batch.safetensors"))
        for key in ["model.transformer.h.1", "model.lm_head"] {
            let mine = try #require(cache[key]?.output)
            let theirs = try reference.tensor(key + ".output")
            var worst: Float = 0
            for r in 0..<batch.batchSize {
                for c in batch.padding(of: r)..<batch.maxLength { worst = max(worst, try mine[r][c].maxAbsDifference(try theirs[r][c])) }
            }
            #expect(worst <= 1e-4, "\(key) differs by \(worst)")
        }
        #expect(cache["transformer.h.1"] != nil)
    }

    @Test func tooLongPromptIsATypedErrorAndTheModelStaysUsable() async throws {
        let model = try await TestModels.fixture()
        let long = String(repeating: "tailor ", count: 100)
        await #expect(throws: ModelError.self) { try await model.predictions(for: long, top: 1) }
        do {
            _ = try model.batch([long])
        } catch let error as ModelError {
            #expect(error.description.contains("at most 64"))
        }
        let after = try await model.predictions(for: "My tailor is rich", top: 1)
        #expect(after.count == 1)
    }

    @Test func concurrentCallersGetIndependentCorrectResults() async throws {
        let model = try await TestModels.fixture()
        let prompts = ["My tailor is rich", "Hello world", "Paris is the capital of", "Once upon a time"]
        var expected: [String: Tensor] = [:]
        for p in prompts { expected[p] = try await model.forward(model.batch([p])) }
        let snapshot = expected
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<32 {
                group.addTask {
                    let p = prompts[i % prompts.count]
                    let logits = try await model.forward(model.batch([p]))
                    #expect(try logits.maxAbsDifference(snapshot[p]!) == 0)
                }
            }
            try await group.waitForAll()
        }
    }

    @Test func missingDirectoryIsATypedError() async {
        do {
            _ = try await StandardizedTransformer(.directory(URL(fileURLWithPath: "/nonexistent/model")))
            Issue.record("expected an error")
        } catch let error as CheckpointError {
            #expect(error.description.contains("/nonexistent/model"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func vocabMergesOnlyCheckpointLoads() async throws {
        let model = try await StandardizedTransformer(.directory(Self.fixtures.appendingPathComponent("tiny-gpt2-variants/vocab-merges")))
        #expect(model.tokenize("My tailor is rich") == model.tokenizer.encode("My tailor is rich"))
        let json = try await TestModels.fixture()   // tokenizer.json
        #expect(model.tokenize("Hello<|endoftext|>World  x") == json.tokenize("Hello<|endoftext|>World  x"))
    }

    @Test func blasUsesAnOptimisedKernelWhenTheCPUHasOne() {
        let runtime = BLASRuntime.current
        #expect(runtime.threads >= 1)
        if ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] != nil {
            #expect(runtime.origin == .environment)
        } else if (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?.contains("avx512bw") == true {
            #expect(["Cooperlake", "SkylakeX", "SapphireRapids"].contains(runtime.coreName), "\(runtime)")
        }
    }
}
