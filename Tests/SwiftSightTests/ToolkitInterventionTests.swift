import Foundation
import SwiftSight
@_spi(Testing) import SwiftSightLayers
import Testing

@Suite struct ToolkitInterventionTests {
    @Test func activationPatchingMatchesTransformersHooks() async throws {
        let model = try await ToolkitFixtures.model()
        let cases = try ToolkitFixtures.cases()
        let (target, trap) = (try #require(cases["target_id"] as? Int), try #require(cases["trap_id"] as? Int))
        #expect(model.tokenize(" fox").first == target && model.tokenize(" dog").first == trap)
        for batchSize in [5, 64] {
            let result = try await model.activationPatching(
                clean: "The quick brown fox", corrupted: "The lazy brown dog", batchSize: batchSize,
                metric: StandardizedTransformer.logitDifference(target: target, trap: trap))
            let reference = try ToolkitFixtures.reference("patching")
            let baselines = try ToolkitFixtures.reference("patching_baselines").scalars
            #expect(result.matrix.shape == [model.numLayers, 4])
            #expect(try result.matrix.maxAbsDifference(reference) <= 1e-4, "batch size \(batchSize)")
            #expect(abs(result.clean - baselines[0]) <= 1e-4 && abs(result.corrupted - baselines[1]) <= 1e-4)
            // Patching the whole last layer output at the last position restores the clean metric.
            #expect(try abs(result.normalized[element: [model.numLayers - 1, 3]] - 1) <= 1e-3)
        }
        await #expect(throws: ToolkitError.self) {
            try await model.activationPatching(clean: "Hello world", corrupted: "My tailor is rich",
                                               metric: StandardizedTransformer.logitDifference(target: 0, trap: 1))
        }
    }

    @Test func steeringMatchesTransformersHooks() async throws {
        let model = try await ToolkitFixtures.model()
        let vector = try await model.steeringVector(from: "Hello world", to: "My tailor is rich", layer: 1)
        #expect(try vector.maxAbsDifference(try ToolkitFixtures.reference("steering_vector")) <= 1e-4)
        let steered = try await model.steer(["My tailor is"], layers: [1], vector: vector, factor: 4)
        #expect(try steered[0].maxAbsDifference(try ToolkitFixtures.reference("steered_probs")) <= 1e-4)
        // In a trace, at one position only: earlier positions are untouched.
        let (plain, edited) = try await (
            model.trace("My tailor is") { t in try await t.layersOutput[2] },
            model.trace("My tailor is") { t in
                try await t.steer(layers: [1], vector: vector, factor: 4, positions: [-1])
                return try await t.layersOutput[2]
            })
        #expect(try edited[0][0].maxAbsDifference(plain[0][0]) <= 1e-6)
        #expect(try edited[0][2].maxAbsDifference(plain[0][2]) > 1e-3)
        await #expect(throws: ToolkitError.self) {
            try await model.trace("Hello") { t in try await t.steer(layers: [0], vector: Tensor.zeros([3])) }
        }
    }

    @Test func promptsCollectTargetAndTrapProbabilities() async throws {
        let model = try await ToolkitFixtures.model()
        #expect(model.firstTokens(of: ["rich"]) == [model.tokenize("rich")[0], model.tokenize(" rich")[0]])
        let prompts = [model.prompt("My tailor is", target: ["rich"], trap: ["poor"]),
                       model.prompt("The quick brown", target: ["fox"], trap: ["dog"]),
                       model.prompt("Hello", target: ["world"])]
        #expect(prompts[0].targetTokens["target"] == [449, 529])
        let result = try await model.runPrompts(prompts, batchSize: 2)
        let probs = try await model.nextTokenProbs(prompts.map(\.text))
        for (i, prompt) in prompts.enumerated() {
            let expected = try (prompt.targetTokens["target"] ?? []).reduce(Float(0)) { try $0 + probs[element: [i, $1]] }
            #expect(abs((result["target"]?[i] ?? -1) - expected) <= 1e-6)
        }
        #expect(result["trap"]?.count == 3 && result["trap"]?[2].isNaN == true)
    }

    /// Ids and sizes a user hands the toolkit are checked before anything is read with them
    /// (an id past the vocabulary used to read memory beyond the probabilities).
    @Test func toolkitArgumentsOutOfRangeAreErrorsNamingThem() async throws {
        let model = try await ToolkitFixtures.model()
        for ids in [[model.vocabSize], [-1], [Int.max]] {
            let prompts = [model.prompt("Hello", target: ["world"]), Prompt("My tailor is", targetTokens: ["target": ids])]
            do {
                _ = try await model.runPrompts(prompts)
                Issue.record("expected an error for \(ids)")
            } catch let error as ToolkitError {
                #expect(error.message.contains("prompt 1") && error.message.contains("token \(ids[0])")
                        && error.message.contains("\"target\""), "\(error)")
            }
        }
        let zero = await #expect(throws: ToolkitError.self) {
            try await model.runPrompts([model.prompt("Hello", target: ["world"])], batchSize: 0)
        }
        #expect(zero?.message.contains("batchSize") == true)
        let metric = StandardizedTransformer.logitDifference(target: 0, trap: 1)
        let badBatch = await #expect(throws: ToolkitError.self) {
            try await model.activationPatching(clean: "Hello world", corrupted: "Hello there", batchSize: -1, metric: metric)
        }
        #expect(badBatch?.message.contains("batchSize") == true)
        // Attention probabilities are [1, heads, seq, seq]: not a value whose positions can be copied.
        do {
            _ = try await model.activationPatching(clean: "Hello world", corrupted: "Hello there",
                                                   at: HookPoint.attentionProbabilities, metric: metric)
            Issue.record("expected an error for attention probabilities")
        } catch let error as ToolkitError {
            #expect(error.message.contains("attention_probabilities.0"), "\(error)")
        }
        let fine = try await model.runPrompts([model.prompt("Hello", target: ["world"])])
        #expect(fine["target"]?.count == 1)
    }

    @Test func loadTimeValidationChecksEveryPoint() async throws {
        let model = try await StandardizedTransformer(.directory(ToolkitFixtures.modelDirectory), validate: false)
        try await model.validateStandardizedPoints()
        let error = ModelValidationError.shapeMismatch(.attentionProbabilities(2), expected: [1, 4, 2, 2], got: [1, 4, 2, 3])
        #expect(error.description.contains("attention_probabilities.2"))
    }
}
