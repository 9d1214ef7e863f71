import SwiftSightCheckpoint
import Foundation
import SwiftSightLayers
import SwiftSightModels
import Testing

/// Config reading for Gemma and Gemma 2: transformers 5.24's defaults for absent keys, the
/// legacy `gelu`, nullable soft-caps and windows, and typed errors that name the key.
@Suite struct GemmaConfigTests {
    func config(_ json: String) throws -> JSONConfig {
        try JSONConfig(data: Data(json.utf8), url: URL(fileURLWithPath: "/tmp/config.json"))
    }

    func gemma(_ type: String = "gemma", _ extra: String = "") throws -> GemmaConfiguration {
        try GemmaConfiguration(config("""
            {"model_type": "\(type)", "num_hidden_layers": 3, "num_attention_heads": 4, "num_key_value_heads": 2,
             "hidden_size": 64, "intermediate_size": 96, "vocab_size": 794\(extra)}
            """))
    }

    func invalid(_ key: String, _ value: String, _ reason: String) -> CheckpointError {
        .invalidConfigValue(path: "/tmp/config.json", key: key, value: value, reason: reason)
    }

    @Test func gemmaDefaults() throws {
        let c = try gemma()
        #expect(c.headDim == 256 && c.maxPositions == 8192 && c.tieWordEmbeddings && c.eosTokenIDs == [1])
        #expect(c.activation == .geluPytorchTanh && c.attentionSoftcap == nil && c.finalLogitSoftcap == nil)
        #expect(c.attentionScale == Float(1 / Double(256).squareRoot()) && c.embeddingScale == 8)
        // The legacy `gelu` of the first releases is the tanh approximation; `hidden_activation` is ignored.
        #expect(try gemma("gemma", ", \"hidden_act\": \"gelu\", \"hidden_activation\": \"silu\"").activation == .geluPytorchTanh)
        #expect(try gemma("gemma", ", \"eos_token_id\": null").eosTokenIDs.isEmpty)
    }

    @Test func gemma2Defaults() throws {
        let c = try gemma("gemma2", ", \"query_pre_attn_scalar\": 144")
        #expect(c.attentionSoftcap == 50 && c.finalLogitSoftcap == 30 && c.attentionScale == Float(1.0 / 12))
        #expect((0..<3).map(c.slidingWindow.window(forLayer:)) == [4096, nil, 4096])
        // Gemma 2 reads `hidden_activation` as written: `gelu` is the exact GELU there.
        #expect(try gemma("gemma2", ", \"hidden_activation\": \"gelu\"").activation == .gelu)
        let uncapped = try gemma("gemma2", ", \"attn_logit_softcapping\": null, \"final_logit_softcapping\": null, \"sliding_window\": null")
        #expect(uncapped.attentionSoftcap == nil && uncapped.finalLogitSoftcap == nil && uncapped.slidingWindow == .fullyCausal)
        let typed = try gemma("gemma2", ", \"sliding_window\": 3, \"layer_types\": [\"full_attention\", \"sliding_attention\", \"full_attention\"]")
        #expect((0..<3).map(typed.slidingWindow.window(forLayer:)) == [nil, 3, nil])
    }

    @Test func typedErrorsNameTheKey() throws {
        #expect(throws: invalid("use_bidirectional_attention", "true", "only causal attention is supported")) {
            try gemma("gemma", ", \"use_bidirectional_attention\": true")
        }
        #expect(throws: invalid("attn_logit_softcapping", "0.0", "must be a positive number (or null for no soft-cap)")) {
            try gemma("gemma2", ", \"attn_logit_softcapping\": 0")
        }
        #expect(throws: invalid("layer_types", "chunked_attention", "supported layer types: full_attention, sliding_attention")) {
            try gemma("gemma2", ", \"layer_types\": [\"full_attention\", \"chunked_attention\", \"full_attention\"]")
        }
        #expect(throws: invalid("layer_types", "2", "needs one entry per layer (3)")) {
            try gemma("gemma2", ", \"layer_types\": [\"full_attention\", \"full_attention\"]")
        }
        #expect(throws: invalid("query_pre_attn_scalar", "-1.0", "must be positive")) {
            try gemma("gemma2", ", \"query_pre_attn_scalar\": -1")
        }
        #expect(throws: invalid("num_attention_heads", "5", "hidden_size 64 is not a multiple of it")) {
            try GemmaConfiguration(config("""
                {"model_type": "gemma2", "num_hidden_layers": 3, "num_attention_heads": 5, "num_key_value_heads": 1,
                 "hidden_size": 64, "intermediate_size": 96, "vocab_size": 794}
                """))
        }
        #expect(throws: invalid("hidden_act", "swiglu", "supported: \(Activation.allCases.map(\.rawValue).joined(separator: ", "))")) {
            try gemma("gemma", ", \"hidden_act\": \"swiglu\"")
        }
    }
}
