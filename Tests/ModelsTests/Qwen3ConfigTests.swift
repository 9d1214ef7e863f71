import SwiftSightCheckpoint
import Foundation
import SwiftSightModels
import Testing

/// Qwen3's config: transformers 5.24's defaults (which differ from Llama's) and the sliding
/// window rules of `use_sliding_window`, `sliding_window`, `max_window_layers`, `layer_types`.
@Suite struct Qwen3ConfigTests {
    func config(_ json: String) throws -> JSONConfig {
        try JSONConfig(data: Data(json.utf8), url: URL(fileURLWithPath: "/tmp/config.json"))
    }

    let qwen3 = """
        "model_type": "qwen3", "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
        "hidden_size": 64, "intermediate_size": 96, "vocab_size": 794
        """

    func windows(_ c: Qwen3Configuration) -> [Int?] { (0..<c.layers).map(c.slidingWindow.window(forLayer:)) }

    /// Without `head_dim`, Qwen3Config's 128 (not hidden / heads), as transformers builds it.
    @Test func defaults() throws {
        let c = try Qwen3Configuration(config("{\(qwen3)}"))
        #expect(c.headDim == 128 && c.maxPositions == 32768 && c.rmsNormEpsilon == 1e-6)
        #expect(!c.attentionBias && !c.tieWordEmbeddings && windows(c) == [nil, nil])
    }

    @Test func slidingWindows() throws {
        #expect(windows(try Qwen3Configuration(config("{\(qwen3), \"sliding_window\": 4}"))) == [nil, nil])
        #expect(windows(try Qwen3Configuration(config("""
            {\(qwen3), "sliding_window": 4, "use_sliding_window": true, "max_window_layers": 1}
            """))) == [nil, 4])
        // Absent: Qwen3Config's 4096; null: no window, whatever layer_types says.
        #expect(windows(try Qwen3Configuration(config("{\(qwen3), \"use_sliding_window\": true, \"max_window_layers\": 0}"))) == [4096, 4096])
        #expect(windows(try Qwen3Configuration(config("""
            {\(qwen3), "use_sliding_window": true, "sliding_window": null, "layer_types": ["sliding_attention", "full_attention"]}
            """))) == [nil, nil])
        #expect(windows(try Qwen3Configuration(config("""
            {\(qwen3), "use_sliding_window": true, "sliding_window": 3, "layer_types": ["sliding_attention", "full_attention"]}
            """))) == [3, nil])
        #expect(throws: CheckpointError.invalidConfigValue(path: "/tmp/config.json", key: "layer_types", value: "1",
                                                            reason: "needs one entry per layer (2)")) {
            try Qwen3Configuration(config("{\(qwen3), \"use_sliding_window\": true, \"layer_types\": [\"full_attention\"]}"))
        }
    }

    @Test func typedErrorsNameTheKey() throws {
        #expect(throws: CheckpointError.invalidConfigValue(path: "/tmp/config.json", key: "head_dim", value: "0", reason: "must be positive")) {
            try Qwen3Configuration(config("{\(qwen3), \"head_dim\": 0}"))
        }
        #expect(throws: CheckpointError.invalidConfigValue(path: "/tmp/config.json", key: "num_key_value_heads", value: "3",
                                                            reason: "must divide num_attention_heads 4")) {
            try Qwen3Configuration(config("{\(qwen3.replacingOccurrences(of: "\"num_key_value_heads\": 2", with: "\"num_key_value_heads\": 3"))}"))
        }
        #expect(throws: CheckpointError.self) {
            try Qwen3Configuration(config("{\(qwen3), \"rope_parameters\": {\"rope_type\": \"dynamic\", \"factor\": 2.0}}"))
        }
    }
}
