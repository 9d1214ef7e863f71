import SwiftSightCheckpoint
import Foundation
import SwiftSightLayers
import SwiftSightModels
import Testing

/// Phi's config: transformers 5.24's PhiConfig defaults (`partial_rotary_factor` 0.5,
/// `eos_token_id` 2), `qk_layernorm`, and typed errors that name the key.
@Suite struct PhiConfigTests {
    func config(_ json: String) throws -> JSONConfig {
        try JSONConfig(data: Data(json.utf8), url: URL(fileURLWithPath: "/tmp/config.json"))
    }

    let phi = """
        "model_type": "phi", "num_hidden_layers": 2, "num_attention_heads": 4,
        "hidden_size": 64, "intermediate_size": 96, "vocab_size": 794
        """

    @Test func defaults() throws {
        let c = try PhiConfiguration(config("{\(phi)}"))
        #expect(c.headDim == 16 && c.kvHeads == 4 && c.maxPositions == 2048 && c.activation == .geluNew && !c.qkLayerNorm)
        #expect(!c.tieWordEmbeddings && c.eosTokenIDs == [2] && c.layerNormEpsilon == 1e-5)
        #expect(c.rotary.rotaryDimension == 8 && c.rotary.layout == .halfSplit)
        // The older top-level spelling (Phi-2's config.json) reads the same.
        let legacy = try PhiConfiguration(config("{\(phi), \"partial_rotary_factor\": 0.75, \"rope_theta\": 500, \"qk_layernorm\": true}"))
        #expect(legacy.rotary.rotaryDimension == 12 && legacy.qkLayerNorm)
        #expect(legacy.rotary.inverseFrequencies == RotaryEmbedding(rotaryDimension: 12, base: 500).inverseFrequencies)
        #expect(try PhiConfiguration(config("{\(phi), \"eos_token_id\": null}")).eosTokenIDs.isEmpty)
    }

    @Test func typedErrorsNameTheKey() throws {
        #expect(throws: CheckpointError.invalidConfigValue(path: "/tmp/config.json", key: "qk_layernorm", value: "true",
                                                            reason: "its norms are hidden_size / num_attention_heads wide, not head_dim 24")) {
            try PhiConfiguration(config("{\(phi), \"head_dim\": 24, \"qk_layernorm\": true}"))
        }
        #expect(throws: CheckpointError.invalidConfigValue(path: "/tmp/config.json", key: "num_key_value_heads", value: "3",
                                                            reason: "must divide num_attention_heads 4")) {
            try PhiConfiguration(config("{\(phi), \"num_key_value_heads\": 3}"))
        }
        #expect(throws: CheckpointError.self) { try PhiConfiguration(config("{\(phi), \"qk_layernorm\": \"yes\"}")) }
        #expect(throws: CheckpointError.self) {
            try PhiConfiguration(config("{\(phi), \"rope_parameters\": {\"rope_type\": \"longrope\", \"rope_theta\": 10000}}"))
        }
    }
}
