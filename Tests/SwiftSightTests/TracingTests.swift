import Foundation
import SwiftSight
@_spi(Testing) import SwiftSightLayers
import Synchronization
import Testing

struct Boom: Error, Equatable {}

@Suite struct TracingTests {
    static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    func reference(_ file: String, _ key: String) throws -> Tensor {
        try SafetensorsFile(url: Self.fixtures.appendingPathComponent("activations/\(file).safetensors")).tensor(key)
    }

    @Test func everyStandardizedPointMatchesTransformers() async throws {
        let model = try await TestModels.fixture()
        let points = HookPoint.all(layers: model.numLayers)
        let values = try await model.trace("My tailor is rich") { t in
            var out: [Tensor] = []
            for p in points { out.append(try await t.value(at: p)) }
            return out
        }
        for (point, value) in zip(points, values) {
            let key = model.info.naming.envoyKey(of: point)
            #expect(try value.maxAbsDifference(try reference("tailor", key)) <= 1e-4, "\(key)")
        }
        #expect(model.numLayers == 3 && model.hiddenSize == 64 && model.numHeads == 4 && model.vocabSize == 794)
    }

    @Test func nextTokenProbsAreTheLastPositionSoftmax() async throws {
        let model = try await TestModels.fixture()
        let probs = try await model.trace("My tailor is rich") { t in try await t.nextTokenProbs }
        let logits = try reference("tailor", "model.lm_head.output")
        let expected = Softmax.apply(try logits[0][3])
        #expect(probs.shape == [1, 794])
        #expect(try probs[0].maxAbsDifference(expected) <= 1e-6)
    }

    @Test func zeroAblationChangesEverythingDownstreamAndTheCache() async throws {
        let model = try await TestModels.fixture()
        let clean = try await model.trace("My tailor is rich") { t in try await t.logits }
        let result = try await model.trace("My tailor is rich", cache: .modules(["transformer.h.1", "lm_head"])) { t in
            let input = try await t.layersInput[1]
            let attention = try await t.attentionsOutput[1]
            try await t.mlpsOutput.edit(1) { $0 = try Tensor.zeros($0.shape) }
            let mlp = try await t.mlpsOutput[1]
            return (mlp, try await t.layersOutput[1], input, attention, try await t.logits)
        }
        let (mlp, out, input, attention) = (result.value.0, result.value.1, result.value.2, result.value.3)
        #expect(mlp.scalars.allSatisfy { $0 == 0 })
        // Without the MLP, the block's output is its input plus the attention output.
        #expect(try out.maxAbsDifference(input + attention) <= 1e-6)
        #expect(try result.value.4.maxAbsDifference(clean) > 1e-3)
        #expect(try result.cache["model.transformer.h.1"]?.output?.maxAbsDifference(out) == 0)
        #expect(try result.cache["model.lm_head"]?.output?.maxAbsDifference(result.value.4) == 0)
    }

    @Test func steeringAddsAVectorAtChosenPositions() async throws {
        let model = try await TestModels.fixture()
        let clean = try await model.trace("My tailor is rich") { t in try await t.layersOutput[0] }
        let steered = try await model.trace("My tailor is rich") { t in
            try await t.layersOutput.edit(0) { value in
                value.withUnsafeMutableBuffer { p in for i in (2 * 64)..<(3 * 64) { p[i] += 1 } }
            }
            return try await t.layersOutput[0]
        }
        #expect(try steered[0][2].maxAbsDifference(clean[0][2] + Tensor(repeating: 1, shape: [64])) <= 1e-6)
        #expect(try steered[0][1].maxAbsDifference(clean[0][1]) == 0)
    }

    @Test func replacingWithTheWrongShapeIsATypedError() async throws {
        let model = try await TestModels.fixture()
        await #expect(throws: TraceError.shapeMismatch(.layerOutput(0), expected: [1, 2, 64], got: [1, 2, 63])) {
            try await model.trace("Hello world") { t in try await t.layersOutput.set(0, to: Tensor.zeros([1, 2, 63])) }
        }
    }

    @Test func pointsThatNeverFireAreErrorsNotHangs() async throws {
        let model = try await TestModels.fixture()
        await #expect(throws: TraceError.layerOutOfRange(.layerOutput(3), layers: 3)) {
            try await model.trace("Hello") { t in try await t.layersOutput[3] }
        }
        do {
            _ = try await model.trace("Hello") { t in
                _ = try await t.layersOutput[0]
                t.stop()
                return try await t.layersOutput[1]
            }
            Issue.record("expected an error")
        } catch let error as TraceError {
            guard case .neverReached(.layerOutput(1), let reason) = error else { Issue.record("got \(error)"); return }
            #expect(reason.contains("stopped after layers_output.0"))
        }
    }

    /// A trace returns only what its interventions return, so once they have returned (and no cache
    /// watches a later point) the rest of the forward pass is not computed.
    @Test func thePassEndsWhenNothingMoreCanBeTaken() async throws {
        let model = try await TestModels.fixture()
        var before = model.pipeline.statistics
        func computed() -> (blocks: Int, stages: Int) {
            let now = model.pipeline.statistics
            defer { before = now }
            return (now.blocksComputed - before.blocksComputed, now.stageComputations - before.stageComputations)
        }
        _ = try await model.trace("My tailor is rich") { t in try await t.layersOutput[0] }
        #expect(computed() == (1, 2))                       // embeddings, block 0
        _ = try await model.trace("My tailor is rich") { t in try await t.logits }
        #expect(computed() == (3, 5))                       // everything, head included
        _ = try await model.trace(invokes: [Invoke("Hello") { t in try await t.layersOutput[0].shape },
                                            Invoke("Hello world") { t in try await t.layersOutput[1].shape }])
        #expect(computed() == (2, 3))                       // until the last invoke is done
        _ = try await model.trace("My tailor is rich", cache: .modules(["transformer.h.1"])) { _ in }
        #expect(computed() == (2, 3))                       // until the last cached module
        let early = try await model.trace("My tailor is rich") { t in try await t.layersOutput[1] }
        let full = try await model.trace("My tailor is rich") { t in
            let value = try await t.layersOutput[1]
            _ = try await t.logits
            return value
        }
        #expect(try early.maxAbsDifference(full) == 0)
    }

    @Test func tokenIDsTraceLikeTheirText() async throws {
        let model = try await TestModels.fixture()
        let ids = model.tokenize("My tailor is rich")
        let byText = try await model.trace("My tailor is rich") { t in try await t.layersOutput[1] }
        let byIDs = try await model.trace(tokens: ids) { t in try await t.layersOutput[1] }
        #expect(try byIDs.maxAbsDifference(byText) == 0)
        await #expect(throws: ModelError.tokenOutOfRange(prompt: 0, id: model.info.vocabSize, vocabSize: model.info.vocabSize)) {
            try await model.trace(tokens: [1, model.info.vocabSize]) { t in try await t.layersOutput[0] }
        }
        await #expect(throws: ModelError.emptyPrompt(prompt: 1)) {
            try await model.trace(invokes: [Invoke(tokens: [[1], []]) { t in try await t.layersOutput[0] }])
        }
    }

    @Test func skippedLayersAreNotComputedAndPassTheirInput() async throws {
        let model = try await TestModels.fixture()
        let before = model.blocksComputed
        let (input, output) = try await model.trace("My tailor is rich") { t in
            try await t.skipLayer(1)
            let pair = (try await t.layersInput[1], try await t.layersOutput[1])
            _ = try await t.layersOutput[2]
            return pair
        }
        #expect(model.blocksComputed - before == 2)
        #expect(try output.maxAbsDifference(input) == 0)
        await #expect(throws: TraceError.self) {
            try await model.trace("Hello") { t in
                try await t.skipLayer(1)
                return try await t.mlpsOutput[1]
            }
        }
        await #expect(throws: TraceError.skipTooLate(layer: 0, passed: .layerOutput(1))) {
            try await model.trace("Hello") { t in
                _ = try await t.layersOutput[1]
                try await t.skipLayer(0)
            }
        }
    }

    @Test func invokesSeeOnlyTheirOwnRowsAndEqualSingleRuns() async throws {
        let model = try await TestModels.fixture()
        let prompts = ["My tailor is rich", "Hello", "The quick brown fox jumps over the lazy dog."]
        let batched = try await model.trace(invokes: prompts.map { p in Invoke(p) { t in try await t.layersOutput[1] } })
        for (p, value) in zip(prompts, batched) {
            let alone = try await model.trace(p) { t in try await t.layersOutput[1] }
            #expect(value.shape == alone.shape)
            #expect(try value.maxAbsDifference(alone) <= 1e-5)
        }
        let reference = try reference("batch", "model.transformer.h.1.output")
        #expect(try batched[1][0][0].maxAbsDifference(reference[1][9]) <= 1e-4)
    }

    @Test func aValueFromOneInvokeCanBePatchedIntoALaterOne() async throws {
        let model = try await TestModels.fixture()
        let shared = Mutex<Tensor?>(nil)
        let results = try await model.trace(invokes: [
            Invoke("My tailor is rich") { t in
                let v = try await t.layersOutput[0]
                shared.withLock { $0 = v }
                return try await t.logits
            },
            Invoke("Your tailor is poor") { t in
                try await t.layersOutput.edit(0) { value in
                    // Invoke 0 has been served at this point already.
                    guard let source = shared.withLock({ $0 }) else { throw Boom() }
                    // Patch the last position.
                    let last = try source[0][source.shape[1] - 1]
                    let row = value.shape[1] - 1
                    value.withUnsafeMutableBuffer { p in
                        last.withUnsafeBuffer { s in for i in 0..<64 { p[row * 64 + i] = s[i] } }
                    }
                }
                return try await t.logits
            },
        ])
        let clean = try await model.trace("Your tailor is poor") { t in try await t.logits }
        let n = clean.shape[1]
        #expect(try results[1][0][n - 1].maxAbsDifference(clean[0][n - 1]) > 1e-3)
        #expect(try results[1][0][0].maxAbsDifference(clean[0][0]) <= 1e-5)
    }

    @Test func multiPromptInvokeGetsLeftPaddedValues() async throws {
        let model = try await TestModels.fixture()
        let prompts = ["My tailor is rich", "Hello", "The quick brown fox jumps over the lazy dog."]
        let value = try await model.trace(prompts) { t in try await t.layersOutput[2] }
        let reference = try reference("batch", "model.transformer.h.2.output")
        #expect(value.shape == reference.shape)
        for (r, p) in prompts.enumerated() {
            let n = model.tokenize(p).count
            for c in (value.shape[1] - n)..<value.shape[1] { #expect(try value[r][c].maxAbsDifference(reference[r][c]) <= 1e-4) }
        }
    }

    @Test func anErrorInInterventionCodeReachesTheCallerUnchanged() async throws {
        let model = try await TestModels.fixture()
        await #expect(throws: Boom()) {
            try await model.trace("Hello world") { t in
                _ = try await t.layersOutput[0]
                throw Boom()
            }
        }
        await #expect(throws: Boom()) {
            try await model.trace(invokes: [Invoke("a") { _ in 1 }, Invoke("b") { _ in throw Boom() }])
        }
        let ok = try await model.trace("Hello world") { t in try await t.logits }
        #expect(ok.shape == [1, 2, 794])
    }

    @Test func cancellingTheCallerEndsTheTrace() async throws {
        let model = try await TestModels.fixture()
        let task = Task {
            try await model.trace("Hello world") { t in
                _ = try await t.layersOutput[0]
                try await Task.sleep(for: .seconds(30))
                return try await t.logits
            }
        }
        try await Task.sleep(for: .milliseconds(100))
        task.cancel()
        let start = ContinuousClock.now
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(ContinuousClock.now - start < .seconds(5))
        let ok = try await model.trace("Hello") { t in try await t.logits }
        #expect(ok.shape == [1, 1, 794])
    }

    @Test func cacheWithInputsAndStandardizedAliases() async throws {
        let model = try await TestModels.fixture()
        let result = try await model.trace("My tailor is rich", cache: .modules(["layers.0", "attentions.1", "mlps.2", "ln_final"], inputs: true)) { _ in () }
        #expect(result.cache.keys == ["model.transformer.h.0", "model.transformer.h.1.attn", "model.transformer.h.2.mlp", "model.transformer.ln_f"])
        #expect(try result.cache["model.transformer.h.0"]?.input?.maxAbsDifference(try reference("tailor", "model.transformer.h.0.input")) ?? 1 <= 1e-4)
        #expect(try result.cache["transformer.h.1.attn"]?.input?.maxAbsDifference(try reference("tailor", "model.transformer.h.1.attn.input")) ?? 1 <= 1e-4)
        await #expect(throws: HookNameError.self) {
            try await model.trace("x", cache: .modules(["transformer.h.9"])) { _ in () }
        }
    }
}
