import Foundation
import SwiftSightCheckpoint
import SwiftSightLayers
import SwiftSightModels
import Testing

/// StarCoder2's config: transformers 5.24's Starcoder2Config defaults (`use_bias` true, tied
/// head, gelu_pytorch_tanh, `norm_epsilon` 1e-5, no sliding window, `eos_token_id` 50256,
/// 2 key/value heads), `use_bias` false, and typed errors that name the key.
@Suite struct Starcoder2ConfigTests {
    func config(_ json: String) throws -> JSONConfig {
        try JSONConfig(data: Data(json.utf8), url: URL(fileURLWithPath: "/tmp/config.json"))
    }

    let starcoder2 = """
        "model_type": "starcoder2", "num_hidden_layers": 2, "num_attention_heads": 4,
        "hidden_size": 64, "intermediate_size": 96, "vocab_size": 794
        """

    @Test func defaults() throws {
        let c = try Starcoder2Configuration(config("{\(starcoder2)}"))
        #expect(c.useBias && c.tieWordEmbeddings && c.activation == .geluPytorchTanh && c.normEpsilon == 1e-5)
        #expect(c.kvHeads == 2 && c.headDim == 16 && c.maxPositions == 4096 && c.eosTokenIDs == [50256])
        #expect(c.slidingWindow == .fullyCausal && c.rotary.rotaryDimension == 16)
        // A null sliding_window (as saved by transformers) is none; a number is every layer's.
        #expect(try Starcoder2Configuration(config("{\(starcoder2), \"sliding_window\": null}")) == c)
        let windowed = try Starcoder2Configuration(config("{\(starcoder2), \"sliding_window\": 5, \"use_bias\": false, \"eos_token_id\": null}"))
        #expect(windowed.slidingWindow == .everyLayer(5) && !windowed.useBias && windowed.eosTokenIDs.isEmpty)
        #expect(try Starcoder2Configuration(config("{\(starcoder2), \"head_dim\": 24}")).headDim == 24)
    }

    @Test func unsupportedValuesNameTheirKey() throws {
        #expect(throws: CheckpointError.invalidConfigValue(path: "/tmp/config.json", key: "num_key_value_heads", value: "3",
                                                            reason: "must divide num_attention_heads 4")) {
            try Starcoder2Configuration(config("{\(starcoder2), \"num_key_value_heads\": 3}"))
        }
        #expect(throws: CheckpointError.invalidConfigValue(path: "/tmp/config.json", key: "rope_parameters.rope_type", value: "dynamic",
                                                            reason: "supported rope types: default, linear, llama3, yarn")) {
            try Starcoder2Configuration(config("{\(starcoder2), \"rope_parameters\": {\"rope_type\": \"dynamic\", \"factor\": 2.0}}"))
        }
        #expect(throws: CheckpointError.self) { try Starcoder2Configuration(config("{\(starcoder2), \"sliding_window\": 0}")) }
        #expect(throws: CheckpointError.self) { try Starcoder2Configuration(config("{\(starcoder2), \"hidden_act\": \"swiglu\"}")) }
        #expect(throws: CheckpointError.self) { try Starcoder2Configuration(config("{\(starcoder2), \"norm_epsilon\": -1}")) }
    }
}
