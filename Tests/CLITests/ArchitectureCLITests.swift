import Foundation
import Testing

/// The command line on the Llama-family and GPT-NeoX fixtures: files keyed by each
/// architecture's own module names, equal to transformers.
@Suite struct ArchitectureCLITests {
    static let models = ["tiny-llama", "tiny-mistral", "tiny-qwen2", "tiny-neox", "tiny-neox-sequential", "tiny-phi3", "tiny-granite",
                         "tiny-gemma", "tiny-gemma2", "tiny-qwen3", "tiny-olmo", "tiny-olmo2", "tiny-gemma3", "tiny-mixtral", "tiny-qwen3-moe", "tiny-gptj", "tiny-phi", "tiny-phi-qk", "tiny-stablelm", "tiny-stablelm-parallel", "tiny-opt", "tiny-starcoder2", "tiny-gpt-neo"]

    func model(_ name: String) -> String { CLI.fixtures.appendingPathComponent("architectures/\(name)").path }

    @Test(arguments: models)
    func traceWritesEveryActivationEqualToTransformers(_ name: String) throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("trace-\(UUID().uuidString).safetensors")
        let r = try CLI.run(["trace", "--model", model(name), "--prompt", "My tailor is rich", "--prompt", "Hello",
                             "--prompt", "The quick brown fox jumps over the lazy dog.", "--save", "all", "--out", out.path])
        #expect(r.status == 0, "\(r.err)")
        let mine = try ActivationFile(out)
        let reference = try ActivationFile(CLI.fixtures.appendingPathComponent("architectures/references/\(name).safetensors"))
        let expected = reference.keys.filter { $0.hasPrefix("batch.") }.map { String($0.dropFirst(6)) }
        #expect(mine.keys == expected.sorted())
        #expect(mine.ints("input_ids") == reference.ints("batch.input_ids"))
        let mask = reference.ints("batch.attention_mask")
        for key in expected where key.hasPrefix("model.") {
            let (a, b) = (mine.floats(key), reference.floats("batch." + key))
            #expect(a.count == b.count, "\(key)")
            let width = b.count / mask.count
            var worst: Float = 0
            for (i, (x, y)) in zip(a, b).enumerated() where mask[i / width] == 1 { worst = max(worst, abs(x - y)) }
            #expect(worst <= 1e-4, "\(name): \(key) differs by \(worst)")
        }
    }

    /// `info` lists every kind of standardized point with nnsight's key and its shape; each key
    /// it prints (at layer 1) is one `trace --save` accepts and writes under that same key.
    @Test(arguments: ["tiny-llama", "tiny-neox"])
    func infoListsEveryPointByItsEnvoyKey(_ name: String) throws {
        let info = try CLI.run(["info", "--model", model(name)])
        #expect(info.status == 0, "\(info.err)")
        let rows = info.out.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
            .filter { $0.count >= 3 && $0[1].hasPrefix("model.") }
        #expect(rows.map { $0[0] } == ["token_embeddings", "layers_input.I", "attentions_input.I", "attention_probabilities.I",
                                       "attentions_output.I", "mlps_input.I", "mlps_output.I", "layers_output.I",
                                       "ln_final", "logits"], "\(info.out)")
        #expect(info.out.contains("[batch, 4, seq, seq]") && info.out.contains("[batch, seq, 64]"), "\(info.out)")
        let keys = rows.map { $0[1].replacingOccurrences(of: ".I.", with: ".1.") }
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("info-\(UUID().uuidString).safetensors")
        let trace = try CLI.run(["trace", "--model", model(name), "--prompt", "Hello world", "--save", keys.joined(separator: ","),
                                 "--out", out.path])
        #expect(trace.status == 0, "\(trace.err)")
        #expect(try ActivationFile(out).keys == (keys + ["attention_mask", "input_ids"]).sorted())
    }

    @Test func saveAndCacheByOriginalNames() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("trace-\(UUID().uuidString).safetensors")
        let llama = try CLI.run(["trace", "--model", model("tiny-llama"), "--prompt", "Hello world",
                                 "--save", "model.layers.1.self_attn,model.norm,mlps_input.0", "--cache", "layers.0", "--out", out.path])
        #expect(llama.status == 0, "\(llama.err)")
        #expect(try ActivationFile(out).keys == ["attention_mask", "input_ids", "model.model.layers.0.mlp.input",
                                                  "model.model.layers.0.output", "model.model.layers.1.self_attn.output",
                                                  "model.model.norm.output"])
        let neox = try CLI.run(["trace", "--model", model("tiny-neox"), "--prompt", "Hello world",
                                "--cache", "gpt_neox.layers.1.attention,lm_head", "--cache-inputs", "--out", out.path])
        #expect(neox.status == 0, "\(neox.err)")
        #expect(try ActivationFile(out).keys == ["attention_mask", "input_ids", "model.gpt_neox.layers.1.attention.input",
                                                  "model.gpt_neox.layers.1.attention.output", "model.lm_head.output"])
        let info = try CLI.run(["info", "--model", model("tiny-mistral")])
        #expect(info.status == 0 && info.out.contains("type mistral, 2 layers, 4 heads of 24 sharing 1 key/value heads"), "\(info.out)")
        #expect(info.out.contains("layers model.layers.{i}"), "\(info.out)")
        let bad = try CLI.run(["trace", "--model", model("tiny-qwen2"), "--prompt", "x", "--save", "transformer.h.0", "--out", out.path])
        #expect(bad.status != 0 && bad.err.contains("transformer.h.0") && bad.err.contains("layers.0"), "\(bad.err)")
    }
}
