import Foundation
import SwiftSightCheckpoint
import SwiftSightModels
import Testing

/// GPT-Neo's `attention_types`: expanded as transformers does, its default, and typed errors
/// that name the key.
@Suite struct GPTNeoConfigTests {
    func config(_ json: String) throws -> JSONConfig {
        try JSONConfig(data: Data(json.utf8), url: URL(fileURLWithPath: "/tmp/config.json"))
    }

    func neo(layers: Int, _ extra: String = "") -> String {
        """
        {"model_type": "gpt_neo", "num_layers": \(layers), "num_heads": 4, "hidden_size": 64, "vocab_size": 794,
         "max_position_embeddings": 64\(extra)}
        """
    }

    func invalid(_ key: String, _ value: String, _ reason: String) -> CheckpointError {
        .invalidConfigValue(path: "/tmp/config.json", key: key, value: value, reason: reason)
    }

    /// Absent: `[[["global", "local"], 12]]`, window 256, MLP 4 × hidden, gelu_new.
    @Test func defaults() throws {
        let c = try GPTNeoConfiguration(config(neo(layers: 24)))
        #expect((0..<24).map(c.slidingWindow.window(forLayer:)) == (0..<24).map { $0 % 2 == 0 ? nil : 256 })
        #expect(c.innerSize == 256)
        #expect(c.activation == .geluNew)
    }

    /// Groups repeat in order; a saved `attention_layers` is ignored, as transformers rebuilds it.
    @Test func attentionTypesExpand() throws {
        let c = try GPTNeoConfiguration(config(neo(layers: 5, """
            , "window_size": 7, "attention_types": [[["local"], 2], [["global", "local"], 1], [["global"], 1]],
            "attention_layers": ["global", "global", "global", "global", "global"]
            """)))
        #expect((0..<5).map(c.slidingWindow.window(forLayer:)) == [7, 7, nil, 7, nil])
    }

    @Test func typedErrorsNameTheKey() throws {
        #expect(throws: invalid("attention_types", "24", "expands to 24 layers, num_layers is 2")) {
            try GPTNeoConfiguration(config(neo(layers: 2)))
        }
        #expect(throws: invalid("attention_types", "sparse", "supported attention types: global, local")) {
            try GPTNeoConfiguration(config(neo(layers: 2, ", \"attention_types\": [[[\"sparse\", \"local\"], 1]]")))
        }
        #expect(throws: invalid("attention_types", "1000000", "expands to more than 2 entries")) {
            try GPTNeoConfiguration(config(neo(layers: 2, ", \"attention_types\": [[[\"local\"], 1000000]]")))
        }
        #expect(throws: CheckpointError.self) {
            try GPTNeoConfiguration(config(neo(layers: 2, ", \"attention_types\": [[\"local\", 2]]")))
        }
        #expect(throws: invalid("window_size", "0", "must be positive")) {
            try GPTNeoConfiguration(config(neo(layers: 2, ", \"attention_types\": [[[\"local\"], 2]], \"window_size\": 0")))
        }
    }
}
