import SwiftSightCheckpoint
import Foundation
import SwiftSightLayers
import SwiftSightModels
import Testing

/// GPT-J's config: transformers 5.24's GPTJConfig defaults, `rotary_dim`, typed errors that name
/// the key.
@Suite struct GPTJConfigTests {
    func config(_ json: String) throws -> JSONConfig {
        try JSONConfig(data: Data(json.utf8), url: URL(fileURLWithPath: "/tmp/config.json"))
    }

    let gptj = """
        "model_type": "gptj", "n_layer": 2, "n_head": 4, "n_embd": 64, "vocab_size": 794
        """

    @Test func defaults() throws {
        let c = try GPTJConfiguration(config("{\(gptj), \"rotary_dim\": 8}"))
        #expect(c.headDim == 16 && c.innerSize == 256 && c.maxPositions == 2048 && c.activation == .geluNew)
        #expect(!c.tieWordEmbeddings && c.eosTokenIDs == [50256] && c.layerNormEpsilon == 1e-5)
        #expect(c.rotary.rotaryDimension == 8 && c.rotary.layout == .interleaved)
        #expect(c.rotary.inverseFrequencies == RotaryEmbedding(rotaryDimension: 8, base: 10_000).inverseFrequencies)
        let explicit = try GPTJConfiguration(config("{\(gptj), \"rotary_dim\": 16, \"n_inner\": 80, \"eos_token_id\": null}"))
        #expect(explicit.innerSize == 80 && explicit.eosTokenIDs.isEmpty && explicit.rotary.rotaryDimension == 16)
        // rotary_dim null: transformers rotates n_embd features, which fits one head only.
        let single = try GPTJConfiguration(config("{\(gptj.replacingOccurrences(of: "\"n_head\": 4", with: "\"n_head\": 1")), \"rotary_dim\": null}"))
        #expect(single.rotary.rotaryDimension == 64)
    }

    @Test func typedErrorsNameTheKey() throws {
        for value in ["null", "0", "7", "18"] {
            let expected = value == "null" ? "64" : value
            #expect(throws: CheckpointError.invalidConfigValue(path: "/tmp/config.json", key: "rotary_dim", value: expected,
                                                                reason: "must be positive, even and at most the head size 16")) {
                try GPTJConfiguration(config("{\(gptj), \"rotary_dim\": \(value)}"))
            }
        }
        #expect(throws: CheckpointError.invalidConfigValue(path: "/tmp/config.json", key: "activation_function", value: "bogus",
                                                            reason: "supported: \(Activation.allCases.map(\.rawValue).joined(separator: ", "))")) {
            try GPTJConfiguration(config("{\(gptj), \"rotary_dim\": 8, \"activation_function\": \"bogus\"}"))
        }
        #expect(throws: CheckpointError.invalidConfigValue(path: "/tmp/config.json", key: "n_head", value: "5",
                                                            reason: "n_embd 64 is not divisible by it")) {
            try GPTJConfiguration(config("{\(gptj.replacingOccurrences(of: "\"n_head\": 4", with: "\"n_head\": 5"))}"))
        }
    }
}
