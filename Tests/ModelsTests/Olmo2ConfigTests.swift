import SwiftSightCheckpoint
import Foundation
import SwiftSightModels
import Testing

/// OLMo 2's config: transformers 5.24's Olmo2Config defaults, and typed errors that name the
/// key (`clip_qkv`, which transformers' Olmo2 ignores, is refused rather than guessed).
@Suite struct Olmo2ConfigTests {
    func config(_ json: String) throws -> JSONConfig {
        try JSONConfig(data: Data(json.utf8), url: URL(fileURLWithPath: "/tmp/config.json"))
    }

    let olmo2 = """
        "model_type": "olmo2", "num_hidden_layers": 2, "num_attention_heads": 4,
        "hidden_size": 64, "intermediate_size": 96, "vocab_size": 794
        """

    @Test func defaults() throws {
        let c = try Olmo2Configuration(config("{\(olmo2)}"))
        #expect(c.headDim == 16 && c.kvHeads == 4 && c.maxPositions == 2048 && c.rmsNormEpsilon == 1e-5)
        #expect(!c.attentionBias && !c.tieWordEmbeddings && c.eosTokenIDs == [50279] && c.activation == .silu)
        let explicit = try Olmo2Configuration(config("{\(olmo2), \"head_dim\": 24, \"clip_qkv\": null, \"eos_token_id\": null}"))
        #expect(explicit.headDim == 24 && explicit.eosTokenIDs.isEmpty)
    }

    @Test func typedErrorsNameTheKey() throws {
        #expect(throws: CheckpointError.invalidConfigValue(path: "/tmp/config.json", key: "clip_qkv", value: "8.0",
                                                            reason: "not supported for olmo2: transformers' Olmo2 ignores it, OLMo's code clamps")) {
            try Olmo2Configuration(config("{\(olmo2), \"clip_qkv\": 8}"))
        }
        #expect(throws: CheckpointError.unsupportedModelType(path: "/tmp/config.json", value: "olmo", supported: ["olmo2"])) {
            try Olmo2Configuration(config("{\(olmo2.replacingOccurrences(of: "\"olmo2\"", with: "\"olmo\""))}"))
        }
        #expect(throws: CheckpointError.invalidConfigValue(path: "/tmp/config.json", key: "num_attention_heads", value: "5",
                                                            reason: "hidden_size 64 is not divisible by it")) {
            try Olmo2Configuration(config("{\(olmo2.replacingOccurrences(of: "\"num_attention_heads\": 4", with: "\"num_attention_heads\": 5"))}"))
        }
    }
}
