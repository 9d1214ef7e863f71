import Foundation
import SwiftSight
@_spi(Testing) import SwiftSightLayers
import Testing

@Suite struct ToolkitLensTests {
    @Test func logitLensMatchesTransformersAtTheLastPositionOfABatch() async throws {
        let model = try await ToolkitFixtures.model()
        let prompts = ["My tailor is rich", "Hello world"]
        let lens = try await model.logitLens(prompts, afterAttention: true)
        #expect(lens.layers.shape == [2, model.numLayers, model.vocabSize])
        let after = try #require(lens.afterAttention)
        for k in prompts.indices {
            let reference = try ToolkitFixtures.reference("logit_lens.\(k)")            // [layers, seq, vocab]
            let middle = try ToolkitFixtures.reference("after_attention.\(k)")
            let last = reference.shape[1] - 1
            for layer in 0..<model.numLayers {
                #expect(try lens.layers[k][layer].maxAbsDifference(reference[layer][last]) <= 1e-4)
                #expect(try after[k][layer].maxAbsDifference(middle[layer][last]) <= 1e-4)
            }
        }
        // The last layer's lens is the model's own prediction.
        let probs = try await model.nextTokenProbs(prompts)
        #expect(try lens.layers[0][model.numLayers - 1].maxAbsDifference(probs[0]) <= 1e-5)
    }

    @Test func logitLensAtAGivenPositionAndOverAllPositions() async throws {
        let model = try await ToolkitFixtures.model()
        let reference = try ToolkitFixtures.reference("logit_lens.0")
        let grid = try await model.logitLensGrid("My tailor is rich")
        #expect(grid.shape == reference.shape)
        #expect(try grid.maxAbsDifference(reference) <= 1e-4)
        let second = try await model.logitLens(["My tailor is rich", "Hello world"], position: 1)
        #expect(try second.layers[0][1].maxAbsDifference(reference[1][1]) <= 1e-4)
        #expect(try second.layers[1][2].maxAbsDifference(try ToolkitFixtures.reference("logit_lens.1")[2][1]) <= 1e-4)
        await #expect(throws: ToolkitError.self) { try await model.logitLens(["Hello world"], position: 5) }
    }

    @Test func projectOnVocabIsTheHeadWithoutHooks() async throws {
        let model = try await ToolkitFixtures.model()
        let (h, logits) = try await model.trace("My tailor is rich") { t in (try await t.layersOutput[2], try await t.logits) }
        #expect(try model.projectOnVocab(h).maxAbsDifference(logits) <= 1e-5)
        #expect(throws: ToolkitError.self) { try model.projectOnVocab(Tensor.zeros([3])) }
    }

    @Test func closestTokensToAnEmbeddingStartWithItsToken() async throws {
        let model = try await ToolkitFixtures.model()
        let token = try #require(model.tokenize(" tailor").first)
        // The fixture's head is tied to the token embeddings: row `token` is its own closest row.
        let embedding = try await model.trace(" tailor") { t in try await t.tokenEmbeddings }
        let closest = try model.topKClosestTokens(embedding.reshaped([model.hiddenSize]), k: 3)
        #expect(closest.count == 3 && closest[0].id == token && abs(closest[0].score - 1) <= 1e-5)
        #expect(closest[0].score >= closest[1].score && closest[1].score >= closest[2].score)
    }

    @Test func patchscopeLensMatchesTransformers() async throws {
        let model = try await ToolkitFixtures.model()
        let lens = try await model.patchscopeLens(sources: ["My tailor is rich"], target: .repeatPrompt())
        #expect(TargetPrompt.repeatPrompt().prompt == "cat -> cat\nhello -> hello\n?")
        let reference = try ToolkitFixtures.reference("patchscope")                        // [layers, vocab]
        #expect(lens.shape == [1, model.numLayers, model.vocabSize])
        #expect(try lens[0].maxAbsDifference(reference) <= 1e-4)
        // Two sources of different lengths, one layer: each row equals that source alone.
        let two = try await model.patchscopeLens(sources: ["Hello world", "My tailor is rich"], layers: [1])
        #expect(two.shape == [2, 1, model.vocabSize])
        #expect(try two[1][0].maxAbsDifference(reference[1]) <= 1e-4)
    }
}

@Suite struct ToolkitGenerateTests {
    @Test func patchscopeGenerateStartsWithThePatchscopeLensPrediction() async throws {
        let model = try await ToolkitFixtures.model()
        let lens = try ToolkitFixtures.reference("patchscope")                         // [layers, vocab]
        let out = try await model.patchscopeGenerate(sources: ["My tailor is rich"], layer: 1, maxNewTokens: 3)
        #expect(out.count == 1)
        let first = try #require(out[0].ids.first)
        let row = try lens[1].scalars
        let best = row.indices.max { row[$0] < row[$1] }
        #expect(first == best)
        // Later tokens follow from the patched prompt: the same as an unpatched run only by chance.
        #expect(out[0].ids.count == 3)
    }

    @Test func steeringEveryGenerationStep() async throws {
        let model = try await ToolkitFixtures.model()
        let vector = try ToolkitFixtures.reference("steering_vector")
        let plain = try await model.generate("My tailor is", maxNewTokens: 4, stopAtEndOfText: false)
        let steered = try await model.generate("My tailor is", maxNewTokens: 4, stopAtEndOfText: false) { _, t in
            try await t.steer(layers: [1], vector: vector, factor: 4)
        }
        let steeredFirst = try ToolkitFixtures.reference("steered_probs").scalars
        #expect(steered.outputs[0].ids.first == steeredFirst.indices.max { steeredFirst[$0] < steeredFirst[$1] })
        #expect(steered.outputs[0].ids != plain.ids)
    }
}
