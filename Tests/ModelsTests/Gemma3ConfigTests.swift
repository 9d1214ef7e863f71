import SwiftSightCheckpoint
import Foundation
import SwiftSightLayers
import SwiftSightModels
import Testing

/// Gemma 3's text config: transformers 5.24's Gemma3TextConfig defaults, both rope spellings
/// against the fixture's frequencies, and typed errors that name the key.
@Suite struct Gemma3ConfigTests {
    func config(_ json: String) throws -> JSONConfig {
        try JSONConfig(data: Data(json.utf8), url: URL(fileURLWithPath: "/tmp/config.json"))
    }

    let gemma3 = """
        "model_type": "gemma3_text", "num_hidden_layers": 7, "num_attention_heads": 4,
        "hidden_size": 64, "intermediate_size": 96, "vocab_size": 794
        """

    @Test func defaults() throws {
        let c = try Gemma3TextConfiguration(config("{\(gemma3)}"))
        #expect(c.headDim == 256 && c.kvHeads == 4 && c.maxPositions == 131_072 && c.window == 4096)
        #expect(c.attentionSoftcap == nil && c.finalLogitSoftcap == nil && c.tieWordEmbeddings && c.eosTokenIDs == [1])
        #expect(c.slidingLayers == [true, true, true, true, true, false, true])  // every 6th layer global
        #expect(c.globalRotary == RotaryEmbedding(rotaryDimension: 256, base: 1_000_000))
        #expect(c.localRotary == RotaryEmbedding(rotaryDimension: 256, base: 10_000))
        #expect(abs(c.attentionScale - 1 / 16) < 1e-7)
        // A per-type entry without rope_theta takes the top-level key (transformers' setdefault).
        let partial = try Gemma3TextConfiguration(config("{\(gemma3), \"rope_local_base_freq\": 500.0, \"rope_parameters\": {\"full_attention\": {\"rope_type\": \"default\", \"rope_theta\": 7.0}}}"))
        #expect(partial.localRotary == RotaryEmbedding(rotaryDimension: 256, base: 500))
        #expect(partial.globalRotary == RotaryEmbedding(rotaryDimension: 256, base: 7))
        let pattern = try Gemma3TextConfiguration(config("{\(gemma3), \"sliding_window_pattern\": 2, \"sliding_window\": null}"))
        #expect(pattern.slidingLayers == [true, false, true, false, true, false, true] && pattern.window == nil)
    }

    /// The older spelling (`rope_theta` + `rope_scaling` global, `rope_local_base_freq` local)
    /// gives the fixture's transformers frequencies too.
    @Test func olderRopeSpelling() throws {
        let c = try Gemma3TextConfiguration(config("""
            {\(gemma3), "head_dim": 20, "rope_theta": 1000000.0, "rope_local_base_freq": 10000.0,
             "rope_scaling": {"rope_type": "linear", "factor": 2.0}}
            """))
        let references = try SafetensorsFile(url: ArchitectureFixtures.root.appendingPathComponent("references/tiny-gemma3.safetensors"))
        for (rotary, key) in [(c.globalRotary, "rope.inv_freq"), (c.localRotary, "rope.local_inv_freq")] {
            let reference = try references.tensor(key).scalars
            #expect(rotary.inverseFrequencies.count == reference.count)
            for (mine, theirs) in zip(rotary.inverseFrequencies, reference) { #expect(abs(mine - theirs) <= 1e-6 * theirs, "\(key)") }
        }
        let fixture = try Gemma3TextConfiguration(JSONConfig(url: ArchitectureFixtures.directory("tiny-gemma3").appendingPathComponent("config.json")))
        #expect(fixture.localRotary.inverseFrequencies == c.localRotary.inverseFrequencies)
        #expect(fixture.globalRotary.inverseFrequencies == c.globalRotary.inverseFrequencies)
    }

    @Test func typedErrorsNameTheKey() throws {
        #expect(throws: CheckpointError.invalidConfigValue(path: "/tmp/config.json", key: "use_bidirectional_attention", value: "true",
                                                            reason: "only causal attention is supported")) {
            try Gemma3TextConfiguration(config("{\(gemma3), \"use_bidirectional_attention\": true}"))
        }
        #expect(throws: CheckpointError.invalidConfigValue(path: "/tmp/config.json", key: "rope_parameters", value: "one object",
                                                            reason: "gemma3_text needs full_attention and sliding_attention entries")) {
            try Gemma3TextConfiguration(config("{\(gemma3), \"rope_parameters\": {\"rope_type\": \"default\", \"rope_theta\": 5.0}}"))
        }
        #expect(throws: CheckpointError.invalidConfigValue(path: "/tmp/config.json", key: "rope_parameters.full_attention.rope_type",
                                                            value: "dynamic", reason: "supported rope types: default, linear, llama3, yarn")) {
            try Gemma3TextConfiguration(config("{\(gemma3), \"rope_parameters\": {\"full_attention\": {\"rope_type\": \"dynamic\", \"factor\": 2}}}"))
        }
        #expect(throws: CheckpointError.invalidConfigValue(path: "/tmp/config.json", key: "layer_types", value: "chunked_attention",
                                                            reason: "supported layer types: full_attention, sliding_attention")) {
            try Gemma3TextConfiguration(config("{\(gemma3), \"layer_types\": [\"full_attention\", \"chunked_attention\", \"full_attention\", \"full_attention\", \"full_attention\", \"full_attention\", \"full_attention\"]}"))
        }
    }
}
