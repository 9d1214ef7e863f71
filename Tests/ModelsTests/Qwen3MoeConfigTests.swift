import SwiftSightCheckpoint
import Foundation
import SwiftSightModels
import Testing

/// Qwen3-MoE's config: transformers 5.24's Qwen3MoeConfig defaults, which layers are sparse
/// (`mlp_only_layers`, `decoder_sparse_step`, `num_experts` 0), the `num_experts` alias, and
/// typed errors that name the key.
@Suite struct Qwen3MoeConfigTests {
    func config(_ json: String) throws -> JSONConfig {
        try JSONConfig(data: Data(json.utf8), url: URL(fileURLWithPath: "/tmp/config.json"))
    }

    let qwen3Moe = """
        "model_type": "qwen3_moe", "num_hidden_layers": 4, "num_attention_heads": 4,
        "hidden_size": 64, "vocab_size": 794
        """

    @Test func defaults() throws {
        let c = try Qwen3MoeConfiguration(config("{\(qwen3Moe)}"))
        #expect(c.experts == 128 && c.expertsPerToken == 8 && !c.normalizeTopK && c.headDim == 16)
        #expect(c.intermediateSize == 6144 && c.moeIntermediateSize == 768 && c.sparseLayers == [true, true, true, true])
        #expect(c.slidingWindow == .fullyCausal && !c.attentionBias && c.maxPositions == 32768)
        let windowed = try Qwen3MoeConfiguration(config("{\(qwen3Moe), \"use_sliding_window\": true}"))
        #expect(windowed.slidingWindow == .everyLayer(4096))
    }

    @Test func sparseLayers() throws {
        let stepped = try Qwen3MoeConfiguration(config(
            "{\(qwen3Moe), \"decoder_sparse_step\": 2, \"mlp_only_layers\": [3], \"num_local_experts\": 6, \"num_experts_per_tok\": 2}"))
        #expect(stepped.sparseLayers == [false, true, false, false] && stepped.experts == 6)
        let alias = try Qwen3MoeConfiguration(config("{\(qwen3Moe), \"num_experts\": 4, \"num_experts_per_tok\": 2}"))
        #expect(alias.experts == 4)
        let dense = try Qwen3MoeConfiguration(config("{\(qwen3Moe), \"num_experts\": 0}"))
        #expect(dense.sparseLayers == [false, false, false, false])
    }

    @Test func typedErrorsNameTheKey() throws {
        #expect(throws: CheckpointError.invalidConfigValue(path: "/tmp/config.json", key: "num_experts_per_tok", value: "3",
                                                            reason: "must not exceed num_local_experts 2")) {
            try Qwen3MoeConfiguration(config("{\(qwen3Moe), \"num_local_experts\": 2, \"num_experts_per_tok\": 3}"))
        }
        #expect(throws: CheckpointError.invalidConfigValue(path: "/tmp/config.json", key: "num_experts", value: "-1",
                                                            reason: "must not be negative")) {
            try Qwen3MoeConfiguration(config("{\(qwen3Moe), \"num_experts\": -1}"))
        }
        #expect(throws: CheckpointError.self) { try Qwen3MoeConfiguration(config("{\(qwen3Moe), \"decoder_sparse_step\": 0}")) }
    }
}
