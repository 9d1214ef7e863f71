import Foundation
import Testing
import SwiftSightCheckpoint

/// The checkpoints written by Scripts/make_fixtures.py with the real Hugging Face stack.
@Suite struct FixtureTests {
    private let tiny = fixturesDirectory.appendingPathComponent("tiny-gpt2")
    private let variants = fixturesDirectory.appendingPathComponent("tiny-gpt2-variants")

    /// Per layer: 12 parameters as transformers names them, without the prefix.
    private static func layerKeys(_ layer: Int) -> [String] {
        ["attn.c_attn.bias", "attn.c_attn.weight", "attn.c_proj.bias", "attn.c_proj.weight",
         "ln_1.bias", "ln_1.weight", "ln_2.bias", "ln_2.weight",
         "mlp.c_fc.bias", "mlp.c_fc.weight", "mlp.c_proj.bias", "mlp.c_proj.weight"].map { "h.\(layer).\($0)" }
    }

    private static let baseKeys = ["wte.weight", "wpe.weight", "ln_f.weight", "ln_f.bias"] + (0..<3).flatMap(layerKeys)

    @Test func tinyModelFile() throws {
        let file = try SafetensorsFile(url: tiny.appendingPathComponent("model.safetensors"))
        #expect(file.metadata["format"] == "pt")
        #expect(Set(file.names) == Set(Self.baseKeys.map { "transformer." + $0 }))
        #expect(file.info("transformer.wte.weight")?.dtype == .float32)
        #expect(file.info("transformer.wte.weight")?.shape == [794, 64])
        #expect(file.info("transformer.h.0.attn.c_attn.weight")?.shape == [64, 192])
        #expect(file.info("transformer.h.2.mlp.c_fc.weight")?.shape == [64, 256])
        let wte = try file.tensor("transformer.wte.weight")
        // Values printed by numpy from the same file.
        #expect(Array(wte.scalars.prefix(3)) == [-0.008937484584748745, -0.03972720727324486, 0.013045895844697952])
        let sum = wte.scalars.reduce(0.0) { $0 + Double($1) }
        #expect(abs(sum - 7.351475869056117) < 1e-9)
    }

    @Test func tinyModelDirectory() throws {
        let weights = try CheckpointWeights(directory: tiny)
        #expect(weights.keys.count == 40)
        #expect(weights.firstKey(among: ["wte.weight", "transformer.wte.weight"]) == "transformer.wte.weight")
        #expect(try weights.tensor("transformer.wpe.weight", shape: [64, 64]).shape == [64, 64])
        #expect(!weights.contains("lm_head.weight"))  // tied to wte, so not saved
        let config = try JSONConfig(url: tiny.appendingPathComponent("config.json"))
        #expect(try config.string("model_type") == "gpt2")
        #expect(try config.int(anyOf: ["hidden_size", "n_embd"]) == 64)
        #expect(try config.int("n_layer") == 3 && config.int("vocab_size") == 794)
        #expect(try config.optionalInt("n_inner") == nil)
        #expect(try config.double("layer_norm_epsilon") == 1e-5)
        #expect(try config.bool("tie_word_embeddings"))
    }

    @Test func shardedFloat16WithoutPrefix() throws {
        let weights = try CheckpointWeights(directory: variants.appendingPathComponent("original-layout-f16"))
        let attentionMasks = (0..<3).map { "h.\($0).attn.bias" }
        #expect(Set(weights.keys) == Set(Self.baseKeys + attentionMasks))
        #expect(weights.firstKey(among: ["transformer.wte.weight", "wte.weight"]) == "wte.weight")
        #expect(Set(weights.keys.compactMap { weights.file(for: $0)?.lastPathComponent }).count == 3)
        #expect(weights.keys.allSatisfy { weights.info($0)?.dtype == .float16 })
        #expect(weights.info("h.0.attn.bias")?.shape == [1, 1, 64, 64])
        // The causal mask is exactly lower-triangular ones.
        let mask = try weights.tensor("h.1.attn.bias", shape: [1, 1, 64, 64]).scalars
        #expect(mask[0] == 1 && mask[1] == 0 && mask[64] == 1 && mask[65] == 1 && mask[66] == 0)

        #if !(os(macOS) && arch(x86_64))
        // Every weight equals the Float32 original rounded to binary16.
        let original = try CheckpointWeights(directory: tiny)
        for key in Self.baseKeys {
            let reference = try original.tensor("transformer." + key).scalars.map { Float(Float16($0)) }
            #expect(try weights.tensor(key).scalars == reference, "\(key)")
        }
        #endif
    }

    @Test func bfloat16SingleShardIndex() throws {
        let weights = try CheckpointWeights(directory: variants.appendingPathComponent("original-layout-bf16"))
        #expect(weights.keys.count == 43)
        #expect(weights.source.lastPathComponent == "model.safetensors.index.json")
        #expect(weights.info("wte.weight")?.dtype == .bfloat16)
        #expect(weights.info("wte.weight")?.shape == [794, 64])
        // Every weight equals the Float32 original rounded to bfloat16 (round to nearest even).
        let original = try CheckpointWeights(directory: tiny)
        for key in Self.baseKeys {
            let reference = try original.tensor("transformer." + key).scalars.map(Self.roundedToBFloat16)
            #expect(try weights.tensor(key).scalars == reference, "\(key)")
        }
    }

    @Test func untiedFloat32Shards() throws {
        let weights = try CheckpointWeights(directory: variants.appendingPathComponent("flags-f32"))
        #expect(weights.keys.count == 44)
        #expect(weights.info("lm_head.weight")?.shape == [794, 64])
        #expect(weights.info("h.0.mlp.c_fc.weight")?.shape == [64, 96])  // n_inner = 96
        let config = try JSONConfig(url: variants.appendingPathComponent("flags-f32/config.json"))
        #expect(try config.int("n_inner") == 96)
        #expect(try config.bool("scale_attn_by_inverse_layer_idx"))
        #expect(try config.string("activation_function") == "gelu")
    }

    @Test func activationInputIDs() throws {
        let file = try SafetensorsFile(url: fixturesDirectory.appendingPathComponent("activations/tailor.safetensors"))
        #expect(file.info("input_ids")?.dtype == .int64)
        #expect(try file.int64s("input_ids") == [427, 571, 300, 529])
        #expect(try file.int64s("attention_mask") == [1, 1, 1, 1])
        #expect(try file.tensor("model.transformer.h.0.output").shape == [1, 4, 64])
    }

    /// `value` rounded to the nearest bfloat16 (ties to even), as torch's `.to(torch.bfloat16)`.
    private static func roundedToBFloat16(_ value: Float) -> Float {
        let bits = value.bitPattern
        let rounded = bits &+ 0x7FFF &+ ((bits >> 16) & 1)
        return Float(bitPattern: rounded & 0xFFFF_0000)
    }
}
