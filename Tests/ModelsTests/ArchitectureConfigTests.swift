import SwiftSightCheckpoint
import Foundation
import SwiftSightLayers
import SwiftSightModels
import Testing

/// Config reading for the Llama family and GPT-NeoX: older key spellings, defaults, and typed
/// errors that name the key.
@Suite struct ArchitectureConfigTests {
    func config(_ json: String) throws -> JSONConfig {
        try JSONConfig(data: Data(json.utf8), url: URL(fileURLWithPath: "/tmp/config.json"))
    }

    let llama = """
        "model_type": "llama", "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
        "hidden_size": 64, "intermediate_size": 96, "vocab_size": 794, "max_position_embeddings": 64
        """

    /// The older `rope_scaling` + top-level `rope_theta` spelling gives transformers' frequencies too.
    @Test func olderRopeScalingSpelling() throws {
        let c = try LlamaConfiguration(config("""
            {\(llama), "rope_theta": 500000.0, "eos_token_id": [0, 5],
             "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                              "original_max_position_embeddings": 16}}
            """))
        let reference = try SafetensorsFile(url: ArchitectureFixtures.root.appendingPathComponent("references/tiny-llama.safetensors"))
            .tensor("rope.inv_freq").scalars
        for (mine, theirs) in zip(c.rotary.inverseFrequencies, reference) { #expect(abs(mine - theirs) <= 1e-6 * theirs) }
        #expect(c.eosTokenID == 0 && c.eosTokenIDs == [0, 5])
        #expect(c.slidingWindows == [nil, nil])
    }

    @Test func unsupportedRopeTypeNamesTheKey() throws {
        #expect(throws: CheckpointError.invalidConfigValue(path: "/tmp/config.json", key: "rope_scaling.rope_type", value: "dynamic",
                                                            reason: "supported rope types: default, linear, llama3, yarn")) {
            try LlamaConfiguration(config("{\(llama), \"rope_scaling\": {\"type\": \"dynamic\", \"factor\": 4.0}}"))
        }
        #expect(throws: CheckpointError.invalidConfigValue(path: "/tmp/config.json", key: "rope_parameters.factor", value: "-2.0",
                                                            reason: "must be positive")) {
            try LlamaConfiguration(config("{\(llama), \"rope_parameters\": {\"rope_type\": \"yarn\", \"factor\": -2.0}}"))
        }
        #expect(throws: CheckpointError.invalidConfigValue(path: "/tmp/config.json", key: "rope_parameters.beta_slow", value: "-1.0",
                                                            reason: "must be positive")) {
            try LlamaConfiguration(config("{\(llama), \"rope_parameters\": {\"rope_type\": \"yarn\", \"factor\": 4.0, \"beta_slow\": -1}}"))
        }
        #expect(throws: CheckpointError.invalidConfigValue(path: "/tmp/config.json", key: "rope_scaling.original_max_position_embeddings",
                                                            value: "0", reason: "must be positive")) {
            try LlamaConfiguration(config("{\(llama), \"rope_scaling\": {\"type\": \"yarn\", \"factor\": 4.0, \"original_max_position_embeddings\": 0}}"))
        }
        #expect(throws: CheckpointError.self) {
            try LlamaConfiguration(config("{\(llama), \"rope_parameters\": {\"rope_type\": \"llama3\", \"factor\": 8.0}}"))
        }
    }

    @Test func slidingWindows() throws {
        let qwen = llama.replacingOccurrences(of: "\"llama\"", with: "\"qwen2\"")
        #expect(try LlamaConfiguration(config("{\(qwen), \"sliding_window\": 4}")).slidingWindows == [nil, nil])
        #expect(try LlamaConfiguration(config("{\(qwen), \"sliding_window\": 4, \"use_sliding_window\": true, \"max_window_layers\": 1}"))
            .slidingWindows == [nil, 4])
        let mistral = llama.replacingOccurrences(of: "\"llama\"", with: "\"mistral\"")
        #expect(try LlamaConfiguration(config("{\(mistral), \"sliding_window\": 7}")).slidingWindows == [7, 7])
        #expect(try LlamaConfiguration(config("{\(mistral), \"sliding_window\": null}")).slidingWindows == [nil, nil])
        #expect(throws: CheckpointError.invalidConfigValue(path: "/tmp/config.json", key: "layer_types", value: "chunked_attention",
                                                            reason: "supported layer types: full_attention, sliding_attention")) {
            try LlamaConfiguration(config("""
                {\(qwen), "sliding_window": 4, "use_sliding_window": true, "layer_types": ["full_attention", "chunked_attention"]}
                """))
        }
    }

    @Test func groupedQueryHeadsMustDivide() throws {
        #expect(throws: CheckpointError.invalidConfigValue(path: "/tmp/config.json", key: "num_key_value_heads", value: "3",
                                                            reason: "must divide num_attention_heads 4")) {
            try LlamaConfiguration(config("{\(llama.replacingOccurrences(of: "\"num_key_value_heads\": 2", with: "\"num_key_value_heads\": 3"))}"))
        }
    }

    /// Pythia's own configs spell the rotary settings `rotary_pct` and `rotary_emb_base`.
    @Test func pythiaRotarySpelling() throws {
        let c = try GPTNeoXConfiguration(config("""
            {"model_type": "gpt_neox", "num_hidden_layers": 2, "num_attention_heads": 4, "hidden_size": 64,
             "intermediate_size": 128, "vocab_size": 794, "rotary_pct": 0.25, "rotary_emb_base": 10000, "eos_token_id": 0}
            """))
        let reference = try SafetensorsFile(url: ArchitectureFixtures.root.appendingPathComponent("references/tiny-neox.safetensors"))
            .tensor("rope.inv_freq").scalars
        #expect(c.rotary.inverseFrequencies.count == 2 && reference.count == 2)
        for (mine, theirs) in zip(c.rotary.inverseFrequencies, reference) { #expect(abs(mine - theirs) <= 1e-6 * theirs) }
        #expect(c.parallelResidual && c.attentionBias && !c.tieWordEmbeddings && c.maxPositions == 2048)
        // The error names the key the file spells (rotary_pct), not transformers 5's name for it.
        #expect(throws: CheckpointError.invalidConfigValue(
            path: "/tmp/config.json", key: "rotary_pct", value: "0.1",
            reason: "must be a fraction in (0, 1] that rotates an even number (at least 2) of the 16 features of a head")) {
            try GPTNeoXConfiguration(config("""
                {"num_hidden_layers": 2, "num_attention_heads": 4, "hidden_size": 64, "intermediate_size": 128,
                 "vocab_size": 794, "rotary_pct": 0.1}
                """))
        }
    }

    /// Phi-3: the Mistral-style window on every layer, transformers' defaults, and LongRoPE
    /// (also its old names `su` and `yarn`, which transformers renames to `longrope`) refused
    /// naming the key.
    @Test func phi3() throws {
        let phi3 = llama.replacingOccurrences(of: "\"llama\"", with: "\"phi3\"")
        let c = try LlamaConfiguration(config("{\(phi3), \"sliding_window\": 5, \"partial_rotary_factor\": 0.5}"))
        #expect(c.slidingWindows == [5, 5] && c.rmsNormEpsilon == 1e-5 && c.rotary.rotaryDimension == 8)
        #expect(!c.qkvBias && !c.outputBias && !c.mlpBias)
        for type in ["longrope", "su", "yarn"] {
            #expect(throws: CheckpointError.invalidConfigValue(
                path: "/tmp/config.json", key: "rope_scaling.rope_type", value: type,
                reason: "phi3 supports the default rope type only (longrope, su and yarn are not supported)")) {
                try LlamaConfiguration(config("""
                    {\(phi3), "rope_scaling": {"type": "\(type)", "short_factor": [1, 1], "long_factor": [2, 2]}}
                    """))
            }
        }
        #expect(throws: CheckpointError.invalidConfigValue(
            path: "/tmp/config.json", key: "rope_scaling.rope_type", value: "longrope",
            reason: "phi3 supports the default rope type only (longrope, su and yarn are not supported)")) {
            try LlamaConfiguration(config("""
                {\(phi3), "rope_parameters": {"rope_type": "default"}, "rope_scaling": {"rope_type": "longrope"}}
                """))
        }
    }

    /// Granite: Llama's fields plus four multipliers, 1 when absent (transformers' defaults,
    /// so the attention scale is 1, not 1/√head_dim); a scale that divides must be positive.
    @Test func granite() throws {
        let granite = llama.replacingOccurrences(of: "\"llama\"", with: "\"granite\"")
        let plain = try GraniteConfiguration(config("{\(granite)}"))
        #expect([plain.embeddingMultiplier, plain.residualMultiplier, plain.attentionMultiplier, plain.logitsScaling] == [1, 1, 1, 1])
        #expect(plain.llama.slidingWindows == [nil, nil])
        #expect(throws: CheckpointError.invalidConfigValue(path: "/tmp/config.json", key: "logits_scaling", value: "0.0",
                                                            reason: "must be a positive Float32 number")) {
            try GraniteConfiguration(config("{\(granite), \"logits_scaling\": 0}"))
        }
        #expect(throws: CheckpointError.invalidConfigValue(path: "/tmp/config.json", key: "embedding_multiplier", value: "1e+300",
                                                            reason: "must be a finite Float32 number")) {
            try GraniteConfiguration(config("{\(granite), \"embedding_multiplier\": 1e300}"))
        }
        #expect(throws: CheckpointError.self) { try GraniteConfiguration(config("{\(llama)}")) }
    }
}
