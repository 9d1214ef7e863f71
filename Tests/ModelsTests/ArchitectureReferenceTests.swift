import SwiftSightCheckpoint
import Foundation
import SwiftSightHooks
@_spi(Testing) import SwiftSightLayers
import SwiftSightModels
import SwiftSightTestSupport
import Synchronization
import Testing

/// Every hook point of the Llama, Mistral, Qwen2 and GPT-NeoX fixtures equals Hugging Face
/// transformers' value, keyed by the architecture's own module names.
@Suite struct ArchitectureReferenceTests {
    @Test(arguments: ArchitectureFixtures.models, ["tailor", "batch"])
    func everyHookPointMatchesTransformers(_ name: String, _ run: String) async throws {
        let file = try ArchitectureFixtures.references(name)
        let batch = try ArchitectureFixtures.batch(file, run)
        let model = try ModelLoader.loadModel(directory: ArchitectureFixtures.directory(name))
        let recorded = Mutex<[HookPoint: Tensor]>([:])
        let logits = try await ForwardPass.run(model, batch) { point, value in recorded.withLock { $0[point] = value } }
        let values = recorded.withLock { $0 }
        let points = HookPoint.all(layers: model.info.numLayers)
        #expect(values.count == points.count)
        for point in points {
            let key = model.info.naming.envoyKey(of: point)
            let reference = try file.tensor("\(run).\(key)")
            let mine = try #require(values[point], "\(point) was not fired")
            #expect(mine.shape == [batch.rows, reference.shape[2]], "\(key)")
            let diff = try maxDifferenceOverRealTokens(packed: mine, reference: reference, batch: batch)
            #expect(diff <= 1e-4, "\(name) \(run): \(key) differs by \(diff)")
        }
        #expect(logits.shape == [batch.rows, model.info.vocabSize])
    }

    @Test(arguments: ArchitectureFixtures.models)
    func batchRowsEqualSinglePromptRuns(_ name: String) async throws {
        let batch = try ArchitectureFixtures.batch(try ArchitectureFixtures.references(name), "batch")
        let model = try ModelLoader.loadModel(directory: ArchitectureFixtures.directory(name))
        let batched = try await ForwardPass.run(model, batch)
        for (s, sequence) in batch.sequences.enumerated() {
            let alone = try await ForwardPass.run(model, TokenBatch([sequence]))
            #expect(try batched.rows(batch.rows(of: s)).maxAbsDifference(alone) <= 1e-5)
        }
    }

    /// OPT's and GPT-Neo's positions are learned: their fixtures have no rotary frequencies.
    @Test(arguments: ArchitectureFixtures.models.filter { $0 != "tiny-opt" && $0 != "tiny-gpt-neo" })
    func rotaryFrequenciesEqualTransformers(_ name: String) throws {
        let config = try JSONConfig(url: ArchitectureFixtures.directory(name).appendingPathComponent("config.json"))
        let info = try ModelLoader.loadModel(directory: ArchitectureFixtures.directory(name)).info
        // Gemma 3 has one rotary embedding per layer type; the reference holds the global one.
        // Gemma 3's global layers' rotary; GPT-J's is its own (`rotary_dim`, a fixed base,
        // neighbouring pairs).
        let rotary = info.modelType == "gemma3_text" ? try Gemma3TextConfiguration(config).globalRotary
            : info.modelType == "gptj" ? try GPTJConfiguration(config).rotary
            : try config.rotaryEmbedding(headDim: info.headDim, maxPositions: info.maxPositions,
                                         defaultPartialFactor: ["gpt_neox": 0.25, "phi": 0.5, "stablelm": 0.25][info.modelType] ?? 1)
        let reference = try ArchitectureFixtures.references(name).tensor("rope.inv_freq").scalars
        #expect(rotary.inverseFrequencies.count == reference.count)
        for (mine, theirs) in zip(rotary.inverseFrequencies, reference) {
            #expect(abs(mine - theirs) <= 1e-6 * abs(theirs), "\(name): \(mine) vs \(theirs)")
        }
        // YaRN (tiny-qwen2) multiplies cos and sin by its attention factor; the others by 1.
        let scaling = try ArchitectureFixtures.references(name).tensor("rope.attention_scaling").scalars
        #expect(scaling.count == 1 && abs(rotary.attentionScaling - scaling[0]) <= 1e-6, "\(name): \(rotary.attentionScaling) vs \(scaling)")
    }

    @Test func namingTablesKeyByTheOriginalModules() throws {
        let llama = try ModelLoader.loadModel(directory: ArchitectureFixtures.directory("tiny-qwen2")).info.naming
        #expect(llama.envoyKey(of: .layerOutput(0)) == "model.model.layers.0.output")
        #expect(llama.envoyKey(of: .attentionInput(1)) == "model.model.layers.1.self_attn.input")
        #expect(llama.envoyKey(of: .lnFinal) == "model.model.norm.output")
        #expect(try llama.resolve("model.layers.1.mlp", layers: 2) == .mlpOutput(1))
        #expect(try llama.resolve("model.model.layers.1.mlp.input", layers: 2) == .mlpInput(1))
        #expect(try llama.resolve("model.norm", layers: 2) == .lnFinal)
        #expect(try llama.resolve("model.embed_tokens", layers: 2) == .tokenEmbeddings)
        #expect(llama.originalPath(forAlias: "layers.1") == "model.layers.1")
        let neox = try ModelLoader.loadModel(directory: ArchitectureFixtures.directory("tiny-neox")).info.naming
        #expect(neox.envoyKey(of: .attentionOutput(0)) == "model.gpt_neox.layers.0.attention.output")
        #expect(neox.envoyKey(of: .logits) == "model.lm_head.output")
        #expect(try neox.resolve("gpt_neox.final_layer_norm", layers: 2) == .lnFinal)
        // OPT's MLP is no module: its points are fc1's input and fc2's output.
        let opt = try ModelLoader.loadModel(directory: ArchitectureFixtures.directory("tiny-opt")).info.naming
        #expect(opt.envoyKey(of: .mlpInput(1)) == "model.model.decoder.layers.1.fc1.input")
        #expect(opt.envoyKey(of: .mlpOutput(1)) == "model.model.decoder.layers.1.fc2.output")
        #expect(try opt.resolve("model.model.decoder.layers.1.fc1.input", layers: 2) == .mlpInput(1))
        #expect(try opt.resolve("model.decoder.layers.0.fc2", layers: 2) == .mlpOutput(0))
        #expect(throws: HookNameError.self) { try opt.resolve("model.decoder.layers.0.fc2.input", layers: 2) }
        #expect(opt.originalPath(forAlias: "mlps.1") == "model.decoder.layers.1.fc2")
        #expect(Registry.naming(forModelType: "mistral") == LlamaModel.naming && Registry.naming(forModelType: "bert") == nil)
    }
}
