import SwiftSightCheckpoint
import Foundation
import SwiftSightLayers
import SwiftSightModels

/// The tiny Llama-family and GPT-NeoX checkpoints and their Hugging Face references
/// (Scripts/fixtures_architectures.py, in Tests/Fixtures/architectures).
enum ArchitectureFixtures {
    static let root = Fixtures.root.appendingPathComponent("architectures")

    /// Every architecture fixture, by folder name.
    static let models = ["tiny-llama", "tiny-mistral", "tiny-qwen2", "tiny-neox", "tiny-neox-sequential", "tiny-phi3", "tiny-granite",
                         "tiny-gemma", "tiny-gemma2", "tiny-qwen3", "tiny-olmo", "tiny-olmo2", "tiny-gemma3", "tiny-mixtral", "tiny-qwen3-moe", "tiny-gptj", "tiny-phi", "tiny-phi-qk", "tiny-stablelm", "tiny-stablelm-parallel", "tiny-opt", "tiny-starcoder2", "tiny-gpt-neo"]

    static func directory(_ model: String) -> URL { root.appendingPathComponent(model) }

    /// The reference tensors of `model`.
    static func references(_ model: String) throws -> SafetensorsFile {
        try SafetensorsFile(url: root.appendingPathComponent("references/\(model).safetensors"))
    }

    /// The packed batch a reference case ran (`tailor` or `batch`), from its ids and mask.
    static func batch(_ file: SafetensorsFile, _ name: String) throws -> TokenBatch {
        let ids = try file.int64s("\(name).input_ids").map(Int.init)
        let mask = try file.int64s("\(name).attention_mask")
        let shape = file.info("\(name).input_ids")?.shape ?? []
        let (rows, cols) = (shape[0], shape[1])
        return TokenBatch((0..<rows).map { r in
            (0..<cols).compactMap { c in mask[r * cols + c] == 1 ? ids[r * cols + c] : nil }
        })
    }
}
