import Foundation
import Testing

/// Runs the built `swiftsight` binary the way a user does.
struct CLI {
    static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")
    /// The model the reference activations were computed with (`--model`); without `--model`
    /// the commands run the embedded demo model, which is trained and has other sizes.
    static let fixtureModel = fixtures.appendingPathComponent("tiny-gpt2").path

    /// The binary beside the test bundle (both are products of the same build).
    static var binary: URL {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while dir.path != "/" {
            let candidate = dir.appendingPathComponent("swiftsight")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: "swiftsight")
    }

    struct Result {
        let status: Int32
        let out: String
        let err: String
        /// Standard output as bytes (a safetensors file written to /dev/stdout is not UTF-8).
        var outData = Data()
        /// Whether the process ended by a signal (a trap or an abort) rather than exiting.
        var crashed = false
    }

    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "OPENBLAS_CORETYPE")
        process.environment = env.merging(environment) { $1 }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, out: String(decoding: outData, as: UTF8.self),
                      err: String(decoding: errData, as: UTF8.self), outData: outData,
                      crashed: process.terminationReason == .uncaughtSignal)
    }
}

@Suite(.serialized) struct CLITests {
    @Test func tokenizePrintsTheIDsAsAJSONArray() throws {
        let cases = try JSONSerialization.jsonObject(with: Data(contentsOf: CLI.fixtures.appendingPathComponent("tokenizer_cases.json"))) as? [String: Any]
        let all = cases?["cases"] as? [[String: Any]] ?? []
        for text in ["My tailor is rich", "Hello<|endoftext|>World", "café naïve résumé Ångström Zürich façade déjà vu"] {
            let expected = try #require(all.first { $0["text"] as? String == text }?["ids"] as? [Int])
            let r = try CLI.run(["tokenize", "--model", CLI.fixtureModel, text])
            #expect(r.status == 0, "\(r.err)")
            let printed = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [Int]
            #expect(printed == expected)
            #expect(r.out.split(separator: "\n").count == 1)
        }
    }

    /// Without --model: the embedded demo model (trained on the King James Bible) and its tokenizer.
    @Test func tokenizeWithoutModelUsesTheEmbeddedModel() throws {
        let r = try CLI.run(["tokenize", "In the beginning God created the heaven and the earth."])
        #expect(r.status == 0, "\(r.err)")
        #expect(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [Int] == [1132, 259, 2098, 387, 3328, 259, 737, 268, 259, 618, 14])
    }

    @Test func runPrintsTokensAndTenPredictions() throws {
        let r = try CLI.run(["run", "And the LORD spake unto Moses,"])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("Tokens (7)"))
        let rows = r.out.split(separator: "\n").filter { $0.range(of: #"^\d+\s+\d+\s"#, options: .regularExpression) != nil }
        #expect(rows.count == 10, "\(r.out)")
        // The demo model knows the formula: " saying" (id 541), probability 0.7993 in transformers.
        #expect(rows.first?.range(of: #"^1\s+541\s+" saying"\s+0\.799"#, options: .regularExpression) != nil, "\(r.out)")
    }

    @Test func traceWritesEveryActivationEqualToTransformers() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("trace-\(UUID().uuidString).safetensors")
        let r = try CLI.run(["trace", "--model", CLI.fixtureModel, "--prompt", "My tailor is rich", "--prompt", "Hello",
                             "--prompt", "The quick brown fox jumps over the lazy dog.", "--save", "all", "--out", out.path])
        #expect(r.status == 0, "\(r.err)")
        let mine = try ActivationFile(out)
        let reference = try ActivationFile(CLI.fixtures.appendingPathComponent("activations/batch.safetensors"))
        #expect(mine.keys == reference.keys)
        #expect(mine.ints("input_ids") == reference.ints("input_ids"))
        #expect(mine.ints("attention_mask") == reference.ints("attention_mask"))
        let mask = reference.ints("attention_mask")
        for key in reference.keys where key.hasPrefix("model.") {
            let a = mine.floats(key), b = reference.floats(key)
            #expect(a.count == b.count, "\(key)")
            let width = b.count / mask.count
            var worst: Float = 0
            for (i, (x, y)) in zip(a, b).enumerated() where mask[i / width] == 1 { worst = max(worst, abs(x - y)) }
            #expect(worst <= 1e-4, "\(key) differs by \(worst)")
        }
    }

    @Test func traceSavesOnlyWhatIsAskedByEitherName() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("trace-\(UUID().uuidString).safetensors")
        let r = try CLI.run(["trace", "--prompt", "Hello world", "--save", "transformer.h.1,lm_head,attentions_output.0,transformer.h.2.input",
                             "--out", out.path])
        #expect(r.status == 0, "\(r.err)")
        #expect(try ActivationFile(out).keys == ["attention_mask", "input_ids", "model.lm_head.output",
                                                  "model.transformer.h.0.attn.output", "model.transformer.h.1.output",
                                                  "model.transformer.h.2.input"])
    }

    @Test func badInputExitsNonZeroWithAMessageNamingTheFault() throws {
        let unknown = try CLI.run(["trace", "--prompt", "x", "--save", "layers_output.7", "--out", "/tmp/never.safetensors"])
        #expect(unknown.status != 0 && unknown.err.contains("layers_output.7"), "\(unknown.err)")
        let missing = try CLI.run(["run", "--model", "/nonexistent/dir", "hello"])
        #expect(missing.status != 0 && missing.err.contains("/nonexistent/dir"), "\(missing.err)")
        let long = try CLI.run(["run", "--model", CLI.fixtureModel, String(repeating: "tailor ", count: 80)])
        #expect(long.status != 0 && long.err.contains("at most 64"), "\(long.err)")
        let longForTheEmbedded = try CLI.run(["run", String(repeating: "tailor ", count: 300)])
        #expect(longForTheEmbedded.status != 0 && longForTheEmbedded.err.contains("at most 256"), "\(longForTheEmbedded.err)")
        let unsupported = try CLI.run(["tokenize", "--model", CLI.fixtures.appendingPathComponent("activations").path, "x"])
        #expect(unsupported.status != 0 && unsupported.err.contains("config.json"), "\(unsupported.err)")
    }

    @Test func versionReportsTheOpenBLASKernel() throws {
        let r = try CLI.run(["--version"])
        #expect(r.status == 0 && r.out.contains("OpenBLAS core") && r.out.contains("threads"), "\(r.out)")
        let forced = try CLI.run(["--version"], environment: ["OPENBLAS_CORETYPE": "Haswell"])
        #expect(forced.out.contains("Haswell (from OPENBLAS_CORETYPE)"), "\(forced.out)")
        if (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?.contains("avx512bw") == true {
            #expect(r.out.contains("Cooperlake") || r.out.contains("SkylakeX"), "\(r.out)")
        }
    }

    @Test func modelFolderFromTheHuggingFaceCacheLayoutLoads() throws {
        // The original gpt2 layout: no `transformer.` prefix, attn.bias buffers, sharded F16.
        let dir = CLI.fixtures.appendingPathComponent("tiny-gpt2-variants/original-layout-f16").path
        let r = try CLI.run(["run", "--model", dir, "My tailor is rich"])
        #expect(r.status == 0, "\(r.err)")
    }
}

/// A minimal safetensors reader for the tests, independent of the library's own.
struct ActivationFile {
    let header: [String: [String: Any]]
    let data: Data
    var keys: [String] { header.keys.filter { $0 != "__metadata__" }.sorted() }

    init(_ url: URL) throws { try self.init(bytes: Data(contentsOf: url)) }

    init(bytes: Data) throws {
        let n = bytes.prefix(8).enumerated().reduce(0) { $0 | (Int($1.element) << (8 * $1.offset)) }
        header = try JSONSerialization.jsonObject(with: bytes.subdata(in: 8..<(8 + n))) as? [String: [String: Any]] ?? [:]
        data = bytes.subdata(in: (8 + n)..<bytes.count)
    }

    private func range(_ key: String) -> Range<Int> {
        let offsets = header[key]?["data_offsets"] as? [Int] ?? [0, 0]
        return offsets[0]..<offsets[1]
    }

    func floats(_ key: String) -> [Float] {
        data.subdata(in: range(key)).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }

    func ints(_ key: String) -> [Int64] {
        data.subdata(in: range(key)).withUnsafeBytes { Array($0.bindMemory(to: Int64.self)) }
    }
}

@Suite(.serialized) struct CLITraceOptionsTests {
    @Test func stopAfterSavesUpToThePointAndRejectsLaterOnes() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("stop-\(UUID().uuidString).safetensors")
        let r = try CLI.run(["trace", "--model", CLI.fixtureModel, "--prompt", "My tailor is rich", "--save", "layers_output.0,layers_output.1",
                             "--stop-after", "layers_output.1", "--out", out.path])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("stopped after layers_output.1"))
        let file = try ActivationFile(out)
        #expect(file.keys == ["attention_mask", "input_ids", "model.transformer.h.0.output", "model.transformer.h.1.output"])
        let reference = try ActivationFile(CLI.fixtures.appendingPathComponent("activations/tailor.safetensors"))
        let diff = zip(file.floats("model.transformer.h.1.output"), reference.floats("model.transformer.h.1.output")).map { abs($0 - $1) }.max() ?? 1
        #expect(diff <= 1e-4)
        let late = try CLI.run(["trace", "--prompt", "x", "--save", "logits", "--stop-after", "layers_output.0", "--out", out.path])
        #expect(late.status != 0 && late.err.contains("logits") && late.err.contains("stop point"), "\(late.err)")
    }

    @Test func cacheWritesModulesByOriginalName() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("cache-\(UUID().uuidString).safetensors")
        let r = try CLI.run(["trace", "--prompt", "Hello world", "--cache", "layers.0,transformer.h.2.attn", "--cache-inputs", "--out", out.path])
        #expect(r.status == 0, "\(r.err)")
        #expect(try ActivationFile(out).keys == ["attention_mask", "input_ids", "model.transformer.h.0.input", "model.transformer.h.0.output",
                                                  "model.transformer.h.2.attn.input", "model.transformer.h.2.attn.output"])
        let bad = try CLI.run(["trace", "--prompt", "x", "--cache", "layers.7", "--out", out.path])
        #expect(bad.status != 0 && bad.err.contains("transformer.h.7"), "\(bad.err)")
    }
}
