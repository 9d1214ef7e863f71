import Foundation
import SwiftSight
@_spi(Testing) import SwiftSightLayers
import Testing

/// The same scenarios on every architecture (GPT-2, Llama, Mistral, Qwen2, GPT-NeoX with and
/// without parallel residual): traces read, edit, stop and cache by the original module names;
/// gradients and parameter gradients equal torch autograd; greedy generation equals
/// `generate`; attention probabilities equal eager attention and can be replaced.
@Suite struct ArchitectureScenarioTests {

    @Test(arguments: ArchitectureFixture.all)
    func traceReadsEveryPointAsTransformers(_ a: ArchitectureFixture) async throws {
        let model = try await a.model()
        let points = HookPoint.all(layers: model.numLayers)
        let values = try await model.trace("My tailor is rich") { t in
            var out: [Tensor] = []
            for p in points { out.append(try await t.value(at: p)) }
            return out
        }
        for (point, value) in zip(points, values) {
            let key = model.info.naming.envoyKey(of: point)
            #expect(try value.maxAbsDifference(try a.activation("tailor", key)) <= 1e-4, "\(a.name): \(key)")
        }
        let batch = ["My tailor is rich", "Hello", "The quick brown fox jumps over the lazy dog."]
        let last = model.numLayers - 1
        let padded = try await model.trace(batch) { t in try await t.layersOutput[last] }
        let reference = try a.activation("batch", model.info.naming.envoyKey(of: .layerOutput(last)))
        #expect(padded.shape == reference.shape)
        for (r, p) in batch.enumerated() {
            let n = model.tokenize(p).count
            for c in (padded.shape[1] - n)..<padded.shape[1] { #expect(try padded[r][c].maxAbsDifference(reference[r][c]) <= 1e-4) }
        }
    }

    @Test(arguments: ArchitectureFixture.all)
    func editingAnMLPChangesWhatFollowsAndTheCacheKeepsOriginalNames(_ a: ArchitectureFixture) async throws {
        let model = try await a.model()
        let naming = model.info.naming
        let clean = try await model.trace("My tailor is rich") { t in try await t.logits }
        let result = try await model.trace("My tailor is rich",
                                           cache: .modules(["layers.0", "attentions.1", "mlps.1", "ln_final"], inputs: true)) { t in
            let input = try await t.layersInput[1]
            let attention = try await t.attentionsOutput[1]
            try await t.mlpsOutput.edit(1) { $0 = try Tensor.zeros($0.shape) }
            return (try await t.layersOutput[1], input, attention, try await t.logits)
        }
        let (out, input, attention, logits) = result.value
        // Without the MLP, block 1's output is its input plus the attention output (also with
        // GPT-NeoX's parallel residual, where the MLP reads the block input); Granite's
        // residual_multiplier scales the attention output as it joins. Gemma 2 and 3 and OLMo 2 add the
        // attention output normalised (`post_attention_layernorm`, after the point), so there the
        // difference is some other vector; its zeroed MLP output normalises to zero all the same.
        let residualMultiplier: Float = a.name == "tiny-granite" ? 0.5 : 1
        if ["tiny-gemma2", "tiny-gemma3", "tiny-olmo2"].contains(a.name) {
            #expect(try out.maxAbsDifference(input + attention) > 1e-3)
        } else {
            #expect(try out.maxAbsDifference(input + attention * residualMultiplier) <= 1e-5)
        }
        #expect(try logits.maxAbsDifference(clean) > 1e-3)
        let expected = [naming.envoyPath(of: .layerOutput(0)), naming.envoyPath(of: .attentionOutput(1)),
                        naming.envoyPath(of: .mlpOutput(1)), naming.envoyPath(of: .lnFinal)]
        // OPT's MLP is no module: its input is cached under fc1, its output under fc2.
        let mlpInput = naming.envoyPath(of: .mlpInput(1))
        #expect(result.cache.keys == (mlpInput == expected[2] ? expected : [expected[0], expected[1], mlpInput] + expected[2...]))
        #expect(expected[0] == ["tiny-gpt2": "model.transformer.h.0", "tiny-neox": "model.gpt_neox.layers.0",
                                "tiny-neox-sequential": "model.gpt_neox.layers.0", "tiny-gptj": "model.transformer.h.0", "tiny-gpt-neo": "model.transformer.h.0",
                                "tiny-opt": "model.model.decoder.layers.0"][a.name] ?? "model.model.layers.0")
        #expect(result.cache[expected[2]]?.output?.scalars.allSatisfy { $0 == 0 } == true)
        let layer0 = try #require(result.cache[expected[0]]?.input)
        #expect(try layer0.maxAbsDifference(try a.activation("tailor", naming.envoyKey(of: .layerInput(0)))) <= 1e-4)
    }

    @Test(arguments: ArchitectureFixture.all)
    func stopEndsTheForwardPass(_ a: ArchitectureFixture) async throws {
        let model = try await a.model()
        let before = model.blocksComputed
        let h0 = try await model.trace("My tailor is rich") { t in
            let h0 = try await t.layersOutput[0]
            t.stop()
            return h0
        }
        #expect(model.blocksComputed - before == 1)
        #expect(try h0.maxAbsDifference(try a.activation("tailor", model.info.naming.envoyKey(of: .layerOutput(0)))) <= 1e-4)
    }

    @Test(arguments: ArchitectureFixture.all)
    func gradientsEqualTorchAutograd(_ a: ArchitectureFixture) async throws {
        let model = try await a.model()
        let naming = model.info.naming
        let points = [HookPoint.tokenEmbeddings] + (0..<model.numLayers).map { HookPoint.layerOutput($0) }
        let ids = try a.tailorIDs()
        for loss in ["sum", "cross_entropy"] {
            let grads = try await model.trace("My tailor is rich", gradients: .activations) { t in
                for p in points { _ = try await t.value(at: p) }
                let logits = try await t.logits
                let scalar = loss == "sum" ? logits.sum()
                    : try logits.select(axis: 0, index: 0).slice(axis: 0, range: 0..<(ids.count - 1)).crossEntropy(targets: Array(ids.dropFirst()))
                let g = try await t.backward(scalar)
                return try points.map { try g.gradient(at: $0) }
            }
            for (p, g) in zip(points, grads) { try expectClose(g, try a.gradient(loss, naming.envoyKey(of: p)), "\(a.name) \(loss) \(p)") }
        }
        // With every layer's attention probabilities read as well (they are then part of the
        // graph): the same probabilities and the same gradients.
        let (probabilities, grads) = try await model.trace("My tailor is rich", gradients: .activations) { t in
            var probabilities: [Tensor] = []
            for p in points {
                _ = try await t.value(at: p)
                if case .layerOutput(let i) = p, i + 1 < model.numLayers { probabilities.append(try await t.attentionProbabilities[i + 1]) }
                if p == .tokenEmbeddings { probabilities.append(try await t.attentionProbabilities[0]) }
            }
            let g = try await t.backward(try await t.logits.sum())
            return (probabilities, try points.map { try g.gradient(at: $0) })
        }
        for (i, p) in probabilities.enumerated() {
            #expect(try p.maxAbsDifference(try a.attentionProbabilities(i, naming: naming)) <= 1e-4, "\(a.name) probabilities \(i)")
        }
        for (p, g) in zip(points, grads) { try expectClose(g, try a.gradient("sum", naming.envoyKey(of: p)), "\(a.name) sum with probabilities read \(p)") }
        let names = try a.reference().parameters
        let g = try await model.trace("My tailor is rich", gradients: .parameters) { t in try await t.backward(try await t.logits.sum()) }
        for name in names { try expectClose(try g.parameter(name), try a.parameterGradient(name), "\(a.name) \(name)") }
    }

    @Test(arguments: ArchitectureFixture.all)
    func greedyGenerationEqualsTransformers(_ a: ArchitectureFixture) async throws {
        let model = try await a.model()
        let generation = try a.reference().generation
        let batched = try await model.generate(generation.prompts, maxNewTokens: generation.newIDs.map(\.count).max() ?? 1)
        for (out, ids) in zip(batched, generation.newIDs) { #expect(Array(out.ids.prefix(ids.count)) == ids, "\(a.name) batch") }
        let alone = try await model.generate(generation.prompts[0], maxNewTokens: generation.newIDs[0].count)
        #expect(alone.ids == generation.newIDs[0], "\(a.name) single")
    }

    @Test(arguments: ArchitectureFixture.all)
    func attentionProbabilitiesEqualEagerAttentionAndCanBeReplaced(_ a: ArchitectureFixture) async throws {
        let model = try await a.model()
        let layers = model.numLayers
        let (probabilities, logits) = try await model.trace("My tailor is rich") { t in
            var out: [Tensor] = []
            for i in 0..<layers { out.append(try await t.attentionProbabilities[i]) }
            return (out, try await t.logits)
        }
        for i in 0..<layers {
            let reference = try a.attentionProbabilities(i, naming: model.info.naming)
            #expect(probabilities[i].shape == reference.shape)
            #expect(try probabilities[i].maxAbsDifference(reference) <= 1e-4, "\(a.name) layer \(i)")
        }
        #expect(try logits.maxAbsDifference(try a.activation("tailor", model.info.naming.envoyKey(of: .logits))) <= 1e-4)
        // Every query attends to the first token only: the attention output is then the same at every position.
        let attention = try await model.trace("My tailor is rich") { t in
            try await t.attentionProbabilities.edit(0) { p in
                let (heads, n) = (p.shape[1], p.shape[2])
                p = try Tensor(shape: p.shape, values: (0..<(heads * n * n)).map { $0 % n == 0 ? 1 : 0 })
            }
            return try await t.attentionsOutput[0]
        }
        #expect(try attention[0][3].maxAbsDifference(attention[0][0]) <= 1e-5)
    }

    /// In KV-cached generation steps the probabilities of the new rows cover the cached keys too
    /// ([prompts, heads, new rows, past + new rows], left-padded on both axes), equal to the last
    /// rows of a trace over the whole sequence; replacing them changes the step as replacing the
    /// same rows in that trace does.
    @Test(arguments: ArchitectureFixture.all)
    func attentionProbabilitiesInGenerationStepsCoverTheCache(_ a: ArchitectureFixture) async throws {
        let model = try await a.model()
        let layer = model.numLayers - 1
        let prompts = ["My tailor is rich", "Hello"]
        let read = try await model.generate(prompts, maxNewTokens: 3, stopAtEndOfText: false, steps: 0...2) { _, t in
            try await t.attentionProbabilities[layer]
        }
        for (p, prompt) in prompts.enumerated() {
            let promptIDs = model.tokenize(prompt)
            let ids = promptIDs + read.outputs[p].ids.prefix(2)
            let full = try await model.trace(tokens: ids) { t in try await t.attentionProbabilities[layer] }  // [1, h, n, n]
            let (heads, n) = (full.shape[1], ids.count)
            let step2 = try #require(read.values[2])                  // [2, heads, 1, longest keys]
            let keys = step2.shape[3]
            #expect(step2.shape == [2, heads, 1, max(promptIDs.count, model.tokenize(prompts[1 - p]).count) + 2])
            for h in 0..<heads {
                let got = Array(try step2[p][h][0].scalars.suffix(n))
                let want = Array(try full[0][h][n - 1].scalars)
                #expect(zip(got, want).allSatisfy { abs($0 - $1) <= 1e-5 }, "\(a.name) prompt \(p) head \(h)")
                #expect(try step2[p][h][0].scalars.prefix(keys - n).allSatisfy { $0 == 0 })  // key padding
            }
        }
        // Replace step 1's probabilities: every head attends to the first token only.
        @Sendable func firstTokenOnly(_ p: inout Tensor) throws {
            let keys = p.shape[3]
            p = try Tensor(shape: p.shape, values: (0..<p.count).map { $0 % keys == 0 ? 1 : 0 })
        }
        let prompt = "My tailor is rich"
        let plain = try await model.generate(prompt, maxNewTokens: 1, stopAtEndOfText: false)
        let edited = try await model.generate(prompt, maxNewTokens: 2, stopAtEndOfText: false, steps: 1...1) { _, t in
            try await t.attentionProbabilities.edit(layer) { try firstTokenOnly(&$0) }
            return try await t.logits
        }
        let ids = model.tokenize(prompt) + plain.ids
        let reference = try await model.trace(tokens: ids) { t in
            try await t.attentionProbabilities.edit(layer) { p in
                // Only the last query row: earlier rows are the cached prefix, computed unedited.
                let (heads, n) = (p.shape[1], p.shape[2])
                var values = p.scalars
                for h in 0..<heads {
                    for k in 0..<n { values[(h * n + n - 1) * n + k] = k == 0 ? 1 : 0 }
                }
                p = try Tensor(shape: p.shape, values: values)
            }
            return try await t.logits
        }
        let stepLogits = try #require(edited.values[1])               // [1, 1, vocab]
        let n = ids.count
        #expect(try stepLogits[0][0].maxAbsDifference(reference[0][n - 1]) <= 1e-4, "\(a.name)")
        #expect(try stepLogits[0][0].maxAbsDifference(try await model.trace(tokens: ids) { t in try await t.logits }[0][n - 1]) > 1e-3)
    }

    /// The toolkit runs on every architecture: the logit lens of the last layer is the softmax of
    /// transformers' logits (`projectOnVocab` applies the final norm and the head), and
    /// `topKClosestTokens` finds the head's matrix (it throws for a model without one).
    @Test(arguments: ArchitectureFixture.all)
    func logitLensOfTheLastLayerIsTheOutput(_ a: ArchitectureFixture) async throws {
        let model = try await a.model()
        let grid = try await model.logitLensGrid("My tailor is rich")                        // [layers, 4, vocab]
        let logits = try a.activation("tailor", model.info.naming.envoyKey(of: .logits))     // [1, 4, vocab]
        #expect(try grid[model.numLayers - 1].maxAbsDifference(Softmax.apply(logits[0])) <= 1e-5)
        let vector = try a.activation("tailor", model.info.naming.envoyKey(of: .layerOutput(0)))[0][3]
        #expect(try model.topKClosestTokens(vector, k: 3).count == 3)
    }

    /// A config listing several `eos_token_id`s (as Llama 3's does) stops generation at any of them.
    @Test func generationStopsAtEveryConfiguredEndOfSequence() async throws {
        let source = ArchitectureFixture(name: "tiny-llama")
        let generation = try source.reference().generation
        let stop = generation.newIDs[0][3]
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("eos-list-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: source.directory, to: copy)
        defer { try? FileManager.default.removeItem(at: copy) }
        let configURL = copy.appendingPathComponent("config.json")
        let config = try String(contentsOf: configURL, encoding: .utf8)
            .replacingOccurrences(of: "\"eos_token_id\": 0,", with: "\"eos_token_id\": [0, \(stop)],")
        try config.write(to: configURL, atomically: true, encoding: .utf8)
        let model = try await StandardizedTransformer(.directory(copy))
        #expect(model.info.eosTokenIDs == [0, stop])
        let first = try #require(generation.newIDs[0].firstIndex(of: stop))
        let out = try await model.generate(generation.prompts[0], maxNewTokens: 12)
        #expect(out.ids == Array(generation.newIDs[0].prefix(first + 1)))
        #expect(out.stopReason == .stopToken(stop))
    }
}
