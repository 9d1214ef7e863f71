import SwiftSightCheckpoint
import Foundation
import SwiftSightModels
import Testing

/// OPT config reading: transformers 5.24's defaults, and a typed error naming the key for each
/// OPT variant SwiftSight does not build (post-LayerNorm, project_in/out, no final norm).
@Suite struct OPTConfigTests {
    func config(_ json: String) throws -> JSONConfig {
        try JSONConfig(data: Data(json.utf8), url: URL(fileURLWithPath: "/tmp/config.json"))
    }

    let opt = """
        "model_type": "opt", "num_hidden_layers": 2, "num_attention_heads": 8, "hidden_size": 64, "ffn_dim": 96,
        "vocab_size": 794, "max_position_embeddings": 64
        """

    @Test func defaults() throws {
        let c = try OPTConfiguration(config("{\(opt)}"))
        #expect(c.activation == .relu && c.enableBias && c.layerNormAffine && c.tieWordEmbeddings)
        #expect(c.eosTokenIDs == [2])
        // word_embed_proj_dim equal to hidden_size (as saved by transformers) or null is the plain model.
        #expect(try OPTConfiguration(config("{\(opt), \"word_embed_proj_dim\": 64}")) == c)
        #expect(try OPTConfiguration(config("{\(opt), \"word_embed_proj_dim\": null}")) == c)
        let bare = try OPTConfiguration(config("{\(opt), \"enable_bias\": false, \"layer_norm_elementwise_affine\": false}"))
        #expect(!bare.enableBias && !bare.layerNormAffine)
    }

    @Test func unsupportedVariantsNameTheirKey() throws {
        #expect(throws: CheckpointError.invalidConfigValue(path: "/tmp/config.json", key: "do_layer_norm_before", value: "false",
                                                            reason: "post-LayerNorm OPT blocks (OPT-350m) are not supported")) {
            try OPTConfiguration(config("{\(opt), \"do_layer_norm_before\": false}"))
        }
        #expect(throws: CheckpointError.invalidConfigValue(
            path: "/tmp/config.json", key: "word_embed_proj_dim", value: "32",
            reason: "project_in/project_out (word_embed_proj_dim != hidden_size 64) are not supported")) {
            try OPTConfiguration(config("{\(opt), \"word_embed_proj_dim\": 32}"))
        }
        #expect(throws: CheckpointError.invalidConfigValue(path: "/tmp/config.json", key: "_remove_final_layer_norm", value: "true",
                                                            reason: "OPT without its final LayerNorm is not supported")) {
            try OPTConfiguration(config("{\(opt), \"_remove_final_layer_norm\": true}"))
        }
        #expect(throws: CheckpointError.invalidConfigValue(path: "/tmp/config.json", key: "num_attention_heads", value: "5",
                                                            reason: "hidden_size 64 is not divisible by it")) {
            try OPTConfiguration(config("{\(opt), \"num_attention_heads\": 5}"))
        }
        #expect(throws: CheckpointError.self) { try OPTConfiguration(config("{\(opt), \"max_position_embeddings\": 9223372036854775807}")) }
        #expect(throws: CheckpointError.self) { try OPTConfiguration(config("{\(opt), \"activation_function\": \"swiglu\"}")) }
    }
}
