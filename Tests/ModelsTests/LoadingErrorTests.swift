import SwiftSightCheckpoint
import Foundation
import SwiftSightModels
import Testing

/// Bad checkpoints give typed errors naming the file and the key or value at fault.
@Suite struct LoadingErrorTests {
    /// A copy of the tiny fixture model in a fresh temporary folder, with `config` edited.
    func modelCopy(editing edit: (inout [String: Any]) -> Void = { _ in }) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("swiftsight-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let source = Fixtures.model("tiny-gpt2")
        for file in ["model.safetensors", "tokenizer.json"] {
            try FileManager.default.copyItem(at: source.appendingPathComponent(file), to: dir.appendingPathComponent(file))
        }
        var config = try JSONSerialization.jsonObject(with: Data(contentsOf: source.appendingPathComponent("config.json"))) as? [String: Any] ?? [:]
        edit(&config)
        try JSONSerialization.data(withJSONObject: config).write(to: dir.appendingPathComponent("config.json"))
        return dir
    }

    func loadError(_ dir: URL) -> CheckpointError? {
        do {
            _ = try ModelLoader.loadModel(directory: dir)
            return nil
        } catch {
            return error
        }
    }

    @Test func unsupportedModelTypeNamesTheValue() throws {
        let dir = try modelCopy { $0["model_type"] = "bert" }
        let error = try #require(loadError(dir))
        guard case .unsupportedModelType(_, "bert", _) = error else { Issue.record("got \(error)"); return }
        #expect(error.description.contains("bert") && error.description.contains("config.json"))
    }

    @Test func missingFieldNamesTheKey() throws {
        let dir = try modelCopy { $0.removeValue(forKey: "n_layer") }
        let error = try #require(loadError(dir))
        #expect(error.description.contains("n_layer") && error.description.contains("config.json"), "\(error)")
    }

    @Test func wrongTypeNamesTheKey() throws {
        let dir = try modelCopy { $0["n_head"] = "four" }
        let error = try #require(loadError(dir))
        #expect(error.description.contains("n_head") && error.description.contains("four"), "\(error)")
    }

    @Test func indivisibleWidthIsInvalid() throws {
        let dir = try modelCopy { $0["n_head"] = 5 }
        let error = try #require(loadError(dir))
        guard case .invalidConfigValue(_, "n_head", "5", _) = error else { Issue.record("got \(error)"); return }
    }

    @Test func unknownActivationIsInvalid() throws {
        let dir = try modelCopy { $0["activation_function"] = "gelu_quantum" }
        let error = try #require(loadError(dir))
        #expect(error.description.contains("gelu_quantum"), "\(error)")
    }

    @Test func configShapeDisagreeingWithWeightsNamesTheTensor() throws {
        let dir = try modelCopy { $0["n_embd"] = 32; $0["n_head"] = 4 }
        let error = try #require(loadError(dir))
        // Checked against the tensors' headers before any tensor is read, naming the key and the tensor.
        guard case .configDisagreesWithWeights(let path, "n_embd", "32", let detail) = error else { Issue.record("got \(error)"); return }
        #expect(path.hasSuffix("config.json"))
        #expect(detail.contains("\"transformer.wte.weight\"") && detail.contains("model.safetensors") && detail.contains("[794, 64]"), "\(detail)")
    }

    @Test func missingTensorIsNamed() throws {
        let dir = try modelCopy()
        // Rewrite the weights without ln_f.
        let file = try SafetensorsFile(url: dir.appendingPathComponent("model.safetensors"))
        let entries = try file.names.filter { !$0.contains("ln_f") }.map { name in
            SafetensorsEntry(name: name, tensor: try file.tensor(name))
        }
        try SafetensorsWriter.write(entries, to: dir.appendingPathComponent("model.safetensors"))
        let error = try #require(loadError(dir))
        #expect(error.description.contains("transformer.ln_f.weight"), "\(error)")
    }

    @Test func untiedHeadWithoutWeightsIsMissing() throws {
        let dir = try modelCopy { $0["tie_word_embeddings"] = false }
        let error = try #require(loadError(dir))
        #expect(error.description.contains("lm_head.weight"), "\(error)")
    }

    @Test func missingDirectoryIsNamed() {
        let dir = URL(fileURLWithPath: "/nonexistent/swiftsight-model")
        let error = loadError(dir)
        #expect(error?.description.contains("/nonexistent/swiftsight-model") == true, "\(String(describing: error))")
    }
}
