import Foundation
import Testing

@Suite(.serialized) struct DumpCLITests {
    /// The shards put back together equal Hugging Face's activations of each prompt.
    @Test func dumpedRowsEqualTheReference() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dump-\(UUID().uuidString)")
        let promptsFile = FileManager.default.temporaryDirectory.appendingPathComponent("prompts-\(UUID().uuidString).txt")
        defer {
            try? FileManager.default.removeItem(at: folder)
            try? FileManager.default.removeItem(at: promptsFile)
        }
        let cases = ["tailor", "hello", "long"]
        let index = try JSONSerialization.jsonObject(with: Data(contentsOf: CLI.fixtures.appendingPathComponent("activations/index.json")))
        let prompts = try cases.map { name in
            try #require(((index as? [String: Any])?["cases"] as? [String: Any])?[name] as? [String: Any])["prompts"] as? [String]
        }.compactMap { $0?.first }
        try (prompts.joined(separator: "\r\n\n") + "\n").write(to: promptsFile, atomically: true, encoding: .utf8)
        let r = try CLI.run(["dump", "--model", CLI.fixtureModel, "--prompts", promptsFile.path, "--at", "layers_output.1,transformer.h.0",
                             "--out", folder.path, "--shard-tokens", "7", "--batch-size", "2"])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("of 3 prompts"))

        var rows: [Int64: [(Int64, [Float], [Float])]] = [:]
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("manifest.json"))) as? [String: Any]
        let shards = try #require(manifest?["shards"] as? [[String: Any]])
        let width = 64
        for shard in shards {
            let file = try ActivationFile(folder.appendingPathComponent(try #require(shard["file"] as? String)))
            let (h0, h1) = (file.floats("model.transformer.h.0.output"), file.floats("model.transformer.h.1.output"))
            let (prompt, position) = (file.ints("prompt_index"), file.ints("position"))
            for r in prompt.indices {
                rows[prompt[r], default: []].append((position[r], Array(h0[(r * width)..<((r + 1) * width)]),
                                                     Array(h1[(r * width)..<((r + 1) * width)])))
            }
        }
        for (i, name) in cases.enumerated() {
            let reference = try ActivationFile(CLI.fixtures.appendingPathComponent("activations/\(name).safetensors"))
            let (want0, want1) = (reference.floats("model.transformer.h.0.output"), reference.floats("model.transformer.h.1.output"))
            let got = try #require(rows[Int64(i)])
            #expect(got.count * width == want0.count)
            #expect(got.map(\.0) == (0..<Int64(got.count)).map { $0 })
            var diff: Float = 0
            for (p, row) in got.enumerated() {
                let span = (p * width)..<((p + 1) * width)
                for (a, b) in zip(row.1, want0[span]) { diff = max(diff, abs(a - b)) }
                for (a, b) in zip(row.2, want1[span]) { diff = max(diff, abs(a - b)) }
            }
            #expect(diff <= 1e-4, "\(name)")
        }

        let again = try CLI.run(["dump", "--model", CLI.fixtureModel, "--prompts", promptsFile.path, "--at", "layers_output.1", "--out", folder.path])
        #expect(again.status != 0 && again.err.contains(folder.path) && again.err.contains("already holds a dump"), "\(again.err)")
        let missing = try CLI.run(["dump", "--prompts", "/nonexistent/prompts.txt", "--at", "layers_output.1", "--out", folder.path + "-x"])
        #expect(missing.status != 0 && missing.err.contains("/nonexistent/prompts.txt"), "\(missing.err)")
        let bad = try CLI.run(["dump", "--prompts", promptsFile.path, "--at", "layers_output.9", "--out", folder.path + "-y"])
        #expect(bad.status != 0 && bad.err.contains("9"), "\(bad.err)")
    }

    /// A directory read as prompts used to give an empty dump; /dev/zero, a line that grows
    /// until memory runs out.
    @Test func aPromptsFileThatCannotBeReadLineByLineIsAnError() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dump-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let directory = FileManager.default.temporaryDirectory.path
        let dir = try CLI.run(["dump", "--prompts", directory, "--at", "layers_output.0", "--out", folder.path])
        #expect(dir.status != 0 && dir.err.contains("--prompts \(directory) is a directory"), "\(dir.err)")
        let zero = try CLI.run(["dump", "--prompts", "/dev/zero", "--at", "layers_output.0", "--out", folder.path])
        #expect(zero.status != 0 && !zero.crashed)
        #expect(zero.err.contains("line 1 of the prompts file /dev/zero is longer than 16 MiB"), "\(zero.err)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("manifest.json").path))
    }
}
