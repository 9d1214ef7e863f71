import Foundation
import SwiftSightModels
import Testing

/// `swiftsight validate`: the status row of every fixture, and a checkpoint that fails.
@Suite struct ValidateCLITests {
    static let models = ["tiny-gpt2"] + ArchitectureCLITests.models.map { "architectures/" + $0 }

    @Test(arguments: models)
    func everyFixturePassesEveryCheck(_ name: String) throws {
        let r = try CLI.run(["validate", "--model", CLI.fixtures.appendingPathComponent(name).path])
        #expect(r.status == 0, "\(r.out)\(r.err)")
        for check in ["hook points", "gradients", "generation", "attention probabilities", "tokenizer"] {
            #expect(r.out.split(separator: "\n").contains { $0.hasPrefix(check) && $0.hasSuffix("pass") }, "\(check): \(r.out)")
        }
        let row = try CLI.run(["validate", "--markdown-row", "--model", CLI.fixtures.appendingPathComponent(name).path])
        #expect(row.out.hasPrefix("| `") && row.out.hasSuffix("| pass | pass | pass | pass | pass |\n"), "\(row.out)")
    }

    /// A tokenizer whose ids (but two) are moved past the model's vocabulary: the load-time
    /// check would refuse the model; `validate` loads it anyway, names the checks that fail in
    /// its row and on standard error, and exits non-zero.
    @Test func aTokenizerThatDoesNotFitFailsItsChecks() throws {
        let source = CLI.fixtures.appendingPathComponent("tiny-gpt2")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("validate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for file in ["config.json", "model.safetensors"] {
            try FileManager.default.copyItem(at: source.appendingPathComponent(file), to: dir.appendingPathComponent(file))
        }
        var tokenizer = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: source.appendingPathComponent("tokenizer.json"))) as? [String: Any])
        var model = try #require(tokenizer["model"] as? [String: Any])
        model["vocab"] = try #require(model["vocab"] as? [String: Int]).mapValues { $0 == 0 || $0 == 2 ? $0 : $0 + 1000 }
        tokenizer["model"] = model
        tokenizer["added_tokens"] = [Any]()
        try JSONSerialization.data(withJSONObject: tokenizer).write(to: dir.appendingPathComponent("tokenizer.json"))

        let r = try CLI.run(["validate", "--model", dir.path])
        #expect(r.status != 0)
        #expect(r.out.split(separator: "\n").contains { $0.hasPrefix("tokenizer") && $0.contains("FAIL") && $0.contains("vocab_size") },
                "\(r.out)")
        #expect(r.err.contains(dir.path) && r.err.contains("tokenizer"), "\(r.err)")
    }

    /// Docs/Models.md's status table (Scripts/model_status.sh) has a row for every supported
    /// `model_type`, every check passing: a new architecture without its row fails here.
    @Test func theStatusTableCoversEverySupportedModelType() throws {
        let docs = CLI.fixtures.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Docs/Models.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        let table = try #require(text.components(separatedBy: "<!-- status:begin -->").last?
            .components(separatedBy: "<!-- status:end -->").first)
        let rows = table.split(separator: "\n").filter { $0.hasPrefix("| `") && !$0.hasPrefix("| `model_type`") }
        let types = rows.compactMap { $0.split(separator: "`").dropFirst().first.map(String.init) }
        #expect(Set(types) == Set(ModelLoader.supportedModelTypes), "\(types)")
        #expect(rows.allSatisfy { $0.hasSuffix("| pass | pass | pass | pass | pass |") }, "\(rows)")
    }
}
