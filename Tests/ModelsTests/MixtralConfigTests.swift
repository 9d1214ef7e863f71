import SwiftSightCheckpoint
import Foundation
import SwiftSightModels
import Testing

/// Mixtral's config: transformers 5.24's MixtralConfig defaults (8 experts, 2 per token, no
/// sliding window when null) and typed errors that name the key.
@Suite struct MixtralConfigTests {
    func config(_ json: String) throws -> JSONConfig {
        try JSONConfig(data: Data(json.utf8), url: URL(fileURLWithPath: "/tmp/config.json"))
    }

    let mixtral = """
        "model_type": "mixtral", "num_hidden_layers": 2, "num_attention_heads": 4,
        "hidden_size": 64, "intermediate_size": 40, "vocab_size": 794
        """

    @Test func defaults() throws {
        let c = try MixtralConfiguration(config("{\(mixtral), \"head_dim\": null, \"sliding_window\": null}"))
        #expect(c.experts == 8 && c.expertsPerToken == 2 && c.headDim == 16 && c.kvHeads == 4)
        #expect(c.maxPositions == 131_072 && c.slidingWindow == .fullyCausal && !c.tieWordEmbeddings)
        let explicit = try MixtralConfiguration(config(
            "{\(mixtral), \"num_local_experts\": 5, \"num_experts_per_tok\": 1, \"head_dim\": 24, \"sliding_window\": 7}"))
        #expect(explicit.experts == 5 && explicit.expertsPerToken == 1 && explicit.headDim == 24)
        #expect(explicit.slidingWindow == .everyLayer(7))
    }

    @Test func typedErrorsNameTheKey() throws {
        #expect(throws: CheckpointError.invalidConfigValue(path: "/tmp/config.json", key: "num_experts_per_tok", value: "3",
                                                            reason: "must not exceed num_local_experts 2")) {
            try MixtralConfiguration(config("{\(mixtral), \"num_local_experts\": 2, \"num_experts_per_tok\": 3}"))
        }
        #expect(throws: CheckpointError.self) { try MixtralConfiguration(config("{\(mixtral), \"num_local_experts\": 0}")) }
        #expect(throws: CheckpointError.self) { try MixtralConfiguration(config("{\(mixtral), \"num_experts_per_tok\": \"two\"}")) }
    }
}
