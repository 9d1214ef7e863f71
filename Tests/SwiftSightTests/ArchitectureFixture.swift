import Foundation
import SwiftSight
import Testing

/// One fixture model per architecture, with its Hugging Face references, for the scenario
/// tests that run on every architecture (ArchitectureScenarioTests).
///
/// GPT-2's references come from Scripts/make_fixtures.py (activations/, toolkit/, generation/);
/// the others from Scripts/fixtures_architectures.py (architectures/references/).
struct ArchitectureFixture: Sendable, CustomTestStringConvertible {
    /// The fixture folder's name.
    let name: String
    var testDescription: String { name }

    static let all = ["tiny-gpt2", "tiny-llama", "tiny-mistral", "tiny-qwen2", "tiny-neox", "tiny-neox-sequential", "tiny-phi3",
                      "tiny-granite", "tiny-gemma", "tiny-gemma2", "tiny-qwen3", "tiny-olmo", "tiny-olmo2", "tiny-gemma3", "tiny-mixtral", "tiny-qwen3-moe", "tiny-gptj", "tiny-phi", "tiny-phi-qk", "tiny-stablelm", "tiny-stablelm-parallel", "tiny-opt", "tiny-starcoder2", "tiny-gpt-neo"]
        .map(ArchitectureFixture.init(name:))

    static let fixtures = TestModels.fixtures
    var isGPT2: Bool { name == "tiny-gpt2" }

    var directory: URL {
        isGPT2 ? Self.fixtures.appendingPathComponent(name) : Self.fixtures.appendingPathComponent("architectures/\(name)")
    }

    func model() async throws -> StandardizedTransformer { try await StandardizedTransformer(.directory(directory)) }

    private func file(_ relative: String) throws -> SafetensorsFile {
        try SafetensorsFile(url: Self.fixtures.appendingPathComponent(relative))
    }

    private var references: String { "architectures/references/\(name).safetensors" }

    /// A hook point's value for "My tailor is rich" (`run` "tailor") or the three-prompt batch ("batch").
    func activation(_ run: String, _ key: String) throws -> Tensor {
        isGPT2 ? try file("activations/\(run).safetensors").tensor(key) : try file(references).tensor("\(run).\(key)")
    }

    /// The torch gradient of `loss` ("sum" or "cross_entropy") at `key` for "My tailor is rich".
    func gradient(_ loss: String, _ key: String) throws -> Tensor {
        isGPT2 ? try file("activations/gradients.safetensors").tensor("\(loss).\(key)")
               : try file(references).tensor("grad.\(loss).\(key)")
    }

    /// The torch gradient of logits.sum() with respect to the parameter `checkpointName`.
    func parameterGradient(_ checkpointName: String) throws -> Tensor {
        try file(isGPT2 ? "activations/gradients.safetensors" : references).tensor("param.\(checkpointName)")
    }

    /// The eager attention probabilities of layer `i` for "My tailor is rich", [1, heads, 4, 4].
    func attentionProbabilities(_ i: Int, naming: ModuleNaming) throws -> Tensor {
        isGPT2 ? try file("toolkit/toolkit.safetensors").tensor("attention.0.\(i)")
               : try file(references).tensor("tailor.\(naming.envoyKey(of: .attentionProbabilities(i)))")
    }

    /// The token ids of "My tailor is rich".
    func tailorIDs() throws -> [Int] {
        try file(isGPT2 ? "activations/tailor.safetensors" : references).int64s(isGPT2 ? "input_ids" : "tailor.input_ids").map(Int.init)
    }

    struct Case: Decodable {
        let parameters: [String]
        let generation: Generation
    }

    struct Generation: Decodable {
        let prompts: [String]
        let newIDs: [[Int]]
        enum CodingKeys: String, CodingKey { case prompts, newIDs = "new_ids" }
    }

    /// Parameters whose gradients were recorded, and greedy `generate` continuations.
    func reference() throws -> Case {
        if isGPT2 {
            let batch = try GenerationFixtures.case("tiny-gpt2-batch")
            return Case(parameters: ["transformer.h.1.mlp.c_fc.weight", "transformer.h.1.attn.c_attn.bias"],
                        generation: Generation(prompts: batch.prompts, newIDs: batch.newIDs))
        }
        let data = try Data(contentsOf: Self.fixtures.appendingPathComponent("architectures/references/\(name).json"))
        return try JSONDecoder().decode(Case.self, from: data)
    }
}
