import Foundation
import SwiftSight
import Synchronization
import Testing

/// The code of Docs/Generation.md, as the tutorial shows it.
@Suite struct GenerationExampleTests {
    @Test func tutorial() async throws {
        let model = try await GenerationFixtures.model()   // StandardizedTransformer(.directory(.../Tests/Fixtures/tiny-gpt2))

        // Greedy, with a KV cache.
        let out = try await model.generate("My tailor is rich", maxNewTokens: 20)
        print(out.ids, out.text, out.stopReason)             // 20 ids, or fewer ending with <|endoftext|>

        // Sampling, reproducible with a seed.
        let sampled = try await model.generate("My tailor is rich", maxNewTokens: 20,
                                               sampling: Sampling(temperature: 0.8, topK: 40, topP: 0.95, seed: 7))

        // A batch of prompts of different lengths, with a stop token.
        let period = model.tokenize(".")[0]
        let outs = try await model.generate(["Hello", "The quick brown fox"], maxNewTokens: 10, stopTokens: [period])

        // Interventions per step: save layer 1 at steps 0...2.
        let saved = try await model.generate("My tailor is rich", maxNewTokens: 5, steps: 0...2) { step, t in
            try await t.layersOutput[1]               // [1, 4, 64] at step 0, then [1, 1, 64]
        }

        // Steer every step.
        let vector = try Tensor(shape: [64], values: (0..<64).map { Float($0 % 7) - 3 })
        let steered = try await model.generate("My tailor is rich", maxNewTokens: 10) { step, t in
            try await t.layersOutput.edit(1) { $0 = try $0 + vector * 4 }
        }

        // Stream tokens as they are generated.
        var text = ""
        for try await token in model.generationStream("My tailor is rich", maxNewTokens: 20) {
            text += token.text                        // print(token.text, terminator: "")
        }

        // What the tutorial says about these values.
        #expect(out.ids.count == 20 || out.stopReason == .stopToken(model.tokenize("<|endoftext|>")[0]))
        #expect(sampled == (try await model.generate("My tailor is rich", maxNewTokens: 20,
                                                      sampling: Sampling(temperature: 0.8, topK: 40, topP: 0.95, seed: 7))))
        #expect(outs.count == 2)
        #expect(saved.values.keys.sorted() == [0, 1, 2])
        #expect(saved.values[0]?.shape == [1, 4, 64] && saved.values[1]?.shape == [1, 1, 64])
        #expect(steered.output?.ids != Array(out.ids.prefix(10)))
        #expect(text == out.text)
    }
}
