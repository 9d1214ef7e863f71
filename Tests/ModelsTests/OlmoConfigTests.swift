import SwiftSightCheckpoint
import Foundation
import SwiftSightModels
import Testing

/// OLMo's config: transformers 5.24's OlmoConfig defaults, `clip_qkv`, and typed errors that
/// name the key.
@Suite struct OlmoConfigTests {
    func config(_ json: String) throws -> JSONConfig {
        try JSONConfig(data: Data(json.utf8), url: URL(fileURLWithPath: "/tmp/config.json"))
    }

    let olmo = """
        "model_type": "olmo", "num_hidden_layers": 2, "num_attention_heads": 4,
        "hidden_size": 64, "intermediate_size": 96, "vocab_size": 794
        """

    @Test func defaults() throws {
        let c = try OlmoConfiguration(config("{\(olmo)}"))
        #expect(c.headDim == 16 && c.kvHeads == 4 && c.maxPositions == 2048 && c.clipQKV == nil)
        #expect(!c.attentionBias && !c.tieWordEmbeddings && c.eosTokenIDs == [50279])
        let explicit = try OlmoConfiguration(config("{\(olmo), \"head_dim\": 24, \"clip_qkv\": 8, \"eos_token_id\": null}"))
        #expect(explicit.headDim == 24 && explicit.clipQKV == 8 && explicit.eosTokenIDs.isEmpty)
        #expect(try OlmoConfiguration(config("{\(olmo), \"clip_qkv\": null}")).clipQKV == nil)
    }

    @Test func typedErrorsNameTheKey() throws {
        #expect(throws: CheckpointError.invalidConfigValue(path: "/tmp/config.json", key: "clip_qkv", value: "0.0",
                                                            reason: "must be a finite positive number")) {
            try OlmoConfiguration(config("{\(olmo), \"clip_qkv\": 0}"))
        }
        #expect(throws: CheckpointError.invalidConfigValue(path: "/tmp/config.json", key: "clip_qkv", value: "-1.5",
                                                            reason: "must be a finite positive number")) {
            try OlmoConfiguration(config("{\(olmo), \"clip_qkv\": -1.5}"))
        }
        #expect(throws: CheckpointError.self) { try OlmoConfiguration(config("{\(olmo), \"clip_qkv\": \"big\"}")) }
        #expect(throws: CheckpointError.invalidConfigValue(path: "/tmp/config.json", key: "num_attention_heads", value: "5",
                                                            reason: "hidden_size 64 is not divisible by it")) {
            try OlmoConfiguration(config("{\(olmo.replacingOccurrences(of: "\"num_attention_heads\": 4", with: "\"num_attention_heads\": 5"))}"))
        }
    }
}
