import SwiftSightCheckpoint
import Foundation
import SwiftSightModels
import Testing

/// Sizes in config.json that used to trap, hang or allocate tens of gigabytes: each is now an
/// error naming the key and the value, found in a fraction of a second, before anything sized
/// by the config is allocated. Values the weights do not have name the tensor too.
@Suite struct ConfigHardeningTests {
    /// A copy of fixture `model` in a fresh temporary folder whose config.json drops `removing`
    /// and gains the members `raw` (JSON text, so values such as `1e400` can be written).
    func copy(_ model: String, removing: [String] = [], raw: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("swiftsight-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let source = Fixtures.model(model)
        try FileManager.default.copyItem(at: source.appendingPathComponent("model.safetensors"),
                                         to: dir.appendingPathComponent("model.safetensors"))
        var config = try JSONSerialization.jsonObject(with: Data(contentsOf: source.appendingPathComponent("config.json"))) as? [String: Any] ?? [:]
        let rawKeys = raw.split(separator: ",").compactMap { $0.split(separator: ":").first }
            .map { $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
        for key in removing + rawKeys { config.removeValue(forKey: key) }
        var text = String(decoding: try JSONSerialization.data(withJSONObject: config, options: [.sortedKeys]), as: UTF8.self)
        text.removeLast()  // the closing brace
        try Data((text + ", " + raw + "}").utf8).write(to: dir.appendingPathComponent("config.json"))
        return dir
    }

    /// The load error of `dir`, and that it came quickly.
    func loadError(_ dir: URL, sourceLocation: SourceLocation = #_sourceLocation) -> CheckpointError? {
        defer { try? FileManager.default.removeItem(at: dir) }
        let clock = ContinuousClock()
        let start = clock.now
        do {
            _ = try ModelLoader.loadModel(directory: dir)
            Issue.record("the load succeeded", sourceLocation: sourceLocation)
            return nil
        } catch {
            #expect(clock.now - start < .seconds(1), "the error took \(clock.now - start)", sourceLocation: sourceLocation)
            return error
        }
    }

    static let gpt2 = "tiny-gpt2", llama = "architectures/tiny-llama", neox = "architectures/tiny-neox"

    /// `4 * n_embd` trapped (SIGILL) before the positivity check.
    @Test func gpt2WidthWhoseMLPWidthOverflows() throws {
        let error = loadError(try copy(Self.gpt2, raw: "\"n_embd\": 2305843009213693952"))
        guard case .invalidConfigValue(let path, "n_embd", "2305843009213693952", let reason) = error else {
            Issue.record("got \(String(describing: error))"); return
        }
        #expect(path.hasSuffix("config.json") && reason.contains("4 × n_embd"), "\(reason)")
    }

    /// With n_inner given there is no product to overflow; the width the weights lack is named.
    @Test func gpt2WidthTheWeightsDoNotHave() throws {
        let error = loadError(try copy(Self.gpt2, raw: "\"n_embd\": 2305843009213693952, \"n_inner\": 256"))
        guard case .configDisagreesWithWeights(_, "n_embd", "2305843009213693952", let detail) = error else {
            Issue.record("got \(String(describing: error))"); return
        }
        #expect(detail.contains("\"transformer.wte.weight\"") && detail.contains("[794, 64]"), "\(detail)")
    }

    /// `Int(Double)` on 1e300 trapped before the range check.
    @Test(arguments: [(llama, "partial_rotary_factor", "1e300", "1e+300"), (neox, "rotary_pct", "1e300", "1e+300"),
                      (llama, "partial_rotary_factor", "-0.5", "-0.5"), (neox, "rotary_pct", "1e400", "inf")])
    func partialRotaryFactorOutOfRange(model: String, key: String, raw: String, shown: String) throws {
        // GPT-NeoX's fixture says partial_rotary_factor inside rope_parameters, which comes first.
        let error = loadError(try copy(model, removing: ["rope_parameters"], raw: "\"\(key)\": \(raw)"))
        guard case .invalidConfigValue(_, key, shown, let reason) = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(reason.contains("(0, 1]"))
    }

    /// 2147483648 layers allocated 34 GB of per-layer sliding windows before any tensor was read.
    @Test(arguments: [(llama, "num_hidden_layers", "model.layers.2.input_layernorm.weight"),
                      (neox, "num_hidden_layers", "gpt_neox.layers.2.input_layernorm.weight"),
                      (gpt2, "n_layer", "transformer.h.3.ln_1.weight")])
    func layerCountTheWeightsDoNotHave(model: String, key: String, tensor: String) throws {
        for count in ["2147483648", "9223372036854775807", "5"] {
            let error = loadError(try copy(model, raw: "\"\(key)\": \(count)"))
            guard case .configDisagreesWithWeights(let path, key, count, let detail) = error else {
                Issue.record("got \(String(describing: error))"); return
            }
            #expect(path.hasSuffix("config.json") && detail.contains("\"\(tensor)\"") && detail.contains("model.safetensors"), "\(detail)")
        }
    }

    /// A Mistral-style sliding window on two billion layers is a rule, not a list.
    @Test func slidingWindowOnHugeLayerCountAllocatesNothing() throws {
        let error = loadError(try copy(Self.llama, raw: "\"model_type\": \"mistral\", \"sliding_window\": 4, \"num_hidden_layers\": 2147483648"))
        guard case .configDisagreesWithWeights(_, "num_hidden_layers", _, _) = error else { Issue.record("got \(String(describing: error))"); return }
    }

    /// 1099511627776 spent 20 s computing rotary frequencies, then allocated 34 GB.
    @Test func headDimTheWeightsDoNotHave() throws {
        let error = loadError(try copy(Self.llama, raw: "\"head_dim\": 1099511627776"))
        guard case .configDisagreesWithWeights(_, "head_dim", "1099511627776", let detail) = error else {
            Issue.record("got \(String(describing: error))"); return
        }
        #expect(detail.contains("num_attention_heads × head_dim") && detail.contains("\"model.layers.0.self_attn.q_proj.weight\""), "\(detail)")
    }

    @Test func headDimWhoseQueryWidthOverflows() throws {
        let error = loadError(try copy(Self.llama, raw: "\"head_dim\": 4611686018427387904"))
        guard case .invalidConfigValue(_, "head_dim", "4611686018427387904", let reason) = error else {
            Issue.record("got \(String(describing: error))"); return
        }
        #expect(reason.contains("does not fit"), "\(reason)")
    }

    @Test(arguments: [
        (llama, "vocab_size", "1000", "\"model.embed_tokens.weight\""), (llama, "hidden_size", "128", "\"model.embed_tokens.weight\""),
        (llama, "intermediate_size", "97", "\"model.layers.0.mlp.gate_proj.weight\""),
        (llama, "num_key_value_heads", "4", "\"model.layers.0.self_attn.k_proj.weight\""),
        (neox, "intermediate_size", "64", "\"gpt_neox.layers.0.mlp.dense_h_to_4h.weight\""),
        (neox, "vocab_size", "50000", "\"gpt_neox.embed_in.weight\""),
        (gpt2, "n_positions", "2048", "\"transformer.wpe.weight\""), (gpt2, "n_inner", "100", "\"transformer.h.0.mlp.c_fc.weight\""),
    ])
    func sizeTheWeightsDoNotHave(model: String, key: String, value: String, tensor: String) throws {
        let error = loadError(try copy(model, raw: "\"\(key)\": \(value)"))
        guard case .configDisagreesWithWeights(_, key, value, let detail) = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(detail.contains(tensor), "\(detail)")
        #expect(error?.description.contains("\"\(key)\"") == true)
    }

    @Test(arguments: [
        (gpt2, "n_head", "0"), (gpt2, "vocab_size", "-1"), (gpt2, "n_ctx", "0"), (gpt2, "n_inner", "-4"),
        (llama, "num_attention_heads", "-4"), (llama, "head_dim", "0"), (llama, "max_position_embeddings", "0"),
        (neox, "hidden_size", "-9223372036854775808"), (neox, "num_hidden_layers", "0"),
    ])
    func sizeNotPositive(model: String, key: String, value: String) throws {
        // n_ctx is read when n_positions is absent.
        let error = loadError(try copy(model, removing: key == "n_ctx" ? ["n_positions"] : [], raw: "\"\(key)\": \(value)"))
        #expect(error == .invalidConfigValue(path: error.map(pathOf) ?? "", key: key, value: value, reason: "must be positive"))
    }

    @Test(arguments: [
        (gpt2, "layer_norm_epsilon", "1e300"), (gpt2, "layer_norm_epsilon", "-1e-5"), (llama, "rms_norm_eps", "1e400"),
        (neox, "layer_norm_eps", "1e39"),
    ])
    func epsilonOutOfRange(model: String, key: String, value: String) throws {
        let error = loadError(try copy(model, raw: "\"\(key)\": \(value)"))
        guard case .invalidConfigValue(_, key, _, _) = error else { Issue.record("got \(String(describing: error))"); return }
    }

    @Test(arguments: [
        ("\"rope_theta\": 1e400", "rope_parameters.rope_theta"), ("\"rope_theta\": -1", "rope_parameters.rope_theta"),
        ("\"factor\": 1e400", "rope_parameters.factor"), ("\"low_freq_factor\": 0", "rope_parameters.low_freq_factor"),
        ("\"original_max_position_embeddings\": -16", "rope_parameters.original_max_position_embeddings"),
    ])
    func ropeParameterOutOfRange(member: String, key: String) throws {
        let parameters = "\"rope_parameters\": {\"factor\": 8.0, \"high_freq_factor\": 4.0, \"low_freq_factor\": 1.0, "
            + "\"original_max_position_embeddings\": 16, \"rope_theta\": 500000.0, \"rope_type\": \"llama3\", \(member)}"
        let error = loadError(try copy(Self.llama, raw: parameters))
        guard case .invalidConfigValue(_, key, _, _) = error else { Issue.record("got \(String(describing: error))"); return }
    }

    @Test(arguments: ["\"attention_factor\": 1e39", "\"beta_fast\": 1e400", "\"factor\": 0", "\"mscale\": 1e400, \"mscale_all_dim\": 1"])
    func yarnParameterOutOfRange(member: String) throws {
        let error = loadError(try copy(Self.llama, raw: "\"rope_parameters\": {\"rope_type\": \"yarn\", \"factor\": 4.0, \(member)}"))
        guard case .invalidConfigValue(_, let key, _, _) = error, key.hasPrefix("rope_parameters.") else {
            Issue.record("got \(String(describing: error))"); return
        }
    }

    /// The duplicate rule reaches the loader: the last `num_hidden_layers` (99) is the one read.
    @Test func duplicateKeyLastWins() throws {
        let error = loadError(try copy(Self.llama, raw: "\"num_hidden_layers\": 2, \"num_hidden_layers\": 99"))
        guard case .configDisagreesWithWeights(_, "num_hidden_layers", "99", _) = error else { Issue.record("got \(String(describing: error))"); return }
    }

    /// After all of that, the untouched fixtures still load and agree with their configs.
    @Test func untouchedFixturesLoad() throws {
        for model in [Self.gpt2, Self.llama, Self.neox] {
            let loaded = try ModelLoader.loadModel(directory: Fixtures.model(model))
            #expect(loaded.info.vocabSize == 794)
        }
    }
}

private func pathOf(_ error: CheckpointError) -> String {
    if case .invalidConfigValue(let path, _, _, _) = error { return path }
    return ""
}
