import SwiftSightCheckpoint
import Foundation
import SwiftSightLayers
import SwiftSightModels
import Testing

/// StableLM's config: transformers 5.24's StableLmConfig defaults (`partial_rotary_factor`
/// 0.25, `silu`, `eos_token_id` 0, sequential residual) and typed errors that name the key,
/// among them `qk_layernorm` (per-head norms with their own weights, not supported).
@Suite struct StableLmConfigTests {
    func config(_ json: String) throws -> JSONConfig {
        try JSONConfig(data: Data(json.utf8), url: URL(fileURLWithPath: "/tmp/config.json"))
    }

    let stablelm = """
        "model_type": "stablelm", "num_hidden_layers": 2, "num_attention_heads": 4,
        "hidden_size": 64, "intermediate_size": 96, "vocab_size": 794
        """

    @Test func defaults() throws {
        let c = try StableLmConfiguration(config("{\(stablelm)}"))
        #expect(c.headDim == 16 && c.kvHeads == 4 && c.maxPositions == 4096 && c.activation == .silu)
        #expect(!c.tieWordEmbeddings && !c.qkvBias && !c.parallelResidual && c.eosTokenIDs == [0] && c.layerNormEpsilon == 1e-5)
        #expect(c.rotary.rotaryDimension == 4 && c.rotary.layout == .halfSplit)
        let flags = try StableLmConfiguration(config("{\(stablelm), \"use_qkv_bias\": true, \"use_parallel_residual\": true, \"eos_token_id\": null}"))
        #expect(flags.qkvBias && flags.parallelResidual && flags.eosTokenIDs.isEmpty)
    }

    @Test func typedErrorsNameTheKey() throws {
        #expect(throws: CheckpointError.invalidConfigValue(
            path: "/tmp/config.json", key: "qk_layernorm", value: "true",
            reason: "per-head LayerNorms with their own weights (StableLmLayerNormPerHead) are not supported")) {
            try StableLmConfiguration(config("{\(stablelm), \"qk_layernorm\": true}"))
        }
        #expect(throws: CheckpointError.invalidConfigValue(path: "/tmp/config.json", key: "head_dim", value: "24",
                                                            reason: "stablelm's attention is hidden_size / num_attention_heads (16) wide")) {
            try StableLmConfiguration(config("{\(stablelm), \"head_dim\": 24}"))
        }
        #expect(throws: CheckpointError.invalidConfigValue(path: "/tmp/config.json", key: "num_key_value_heads", value: "3",
                                                            reason: "must divide num_attention_heads 4")) {
            try StableLmConfiguration(config("{\(stablelm), \"num_key_value_heads\": 3}"))
        }
        #expect(throws: CheckpointError.self) {
            try StableLmConfiguration(config("{\(stablelm), \"rope_parameters\": {\"rope_type\": \"longrope\", \"rope_theta\": 10000}}"))
        }
    }
}
