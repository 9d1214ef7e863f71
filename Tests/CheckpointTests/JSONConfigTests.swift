import Foundation
import Testing
import SwiftSightCheckpoint

/// config.json reading: typed getters, null as absent, and errors naming file, key and value.
@Suite struct JSONConfigTests {
    let directory: TemporaryDirectory
    let config: JSONConfig
    let path: String

    init() throws {
        directory = try TemporaryDirectory()
        let url = try directory.write("config.json", text: """
            {"n_embd": 64, "n_layer": "3", "n_head": 4.0, "n_inner": null, "layer_norm_epsilon": 1e-05,
             "model_type": "gpt2", "tie_word_embeddings": true, "scale": 1, "ratio": 1.5,
             "flag_as_int": 1, "big": 1e300, "list": [1, 2], "nested": {"a": 1}}
            """)
        config = try JSONConfig(url: url)
        path = url.path
    }

    @Test func typedGetters() throws {
        #expect(try config.int("n_embd") == 64)
        #expect(try config.int("n_head") == 4)  // an integral number written as 4.0
        #expect(try config.int("missing", default: 7) == 7)
        #expect(try config.int(anyOf: ["hidden_size", "n_embd"]) == 64)
        #expect(try config.double("layer_norm_epsilon") == 1e-5)
        #expect(try config.double("scale") == 1)  // an integer is a fine double
        #expect(try config.double(anyOf: ["eps", "ratio"]) == 1.5)
        #expect(try config.string("model_type") == "gpt2")
        #expect(try config.string("missing", default: "x") == "x")
        #expect(try config.bool("tie_word_embeddings"))
        #expect(try config.bool("missing", default: false) == false)
        #expect(try config.optionalInt("missing") == nil)
        #expect(try config.optionalString("model_type") == "gpt2")
        #expect(config.contains("n_embd") && !config.contains("n_inner") && !config.contains("missing"))
        #expect(config.keys.contains("n_inner"))
    }

    @Test func nullCountsAsAbsent() throws {
        #expect(try config.optionalInt("n_inner") == nil)
        #expect(try config.int("n_inner", default: 256) == 256)
        #expect(try config.int(anyOf: ["n_inner", "n_embd"]) == 64)
        let error = caught { () throws(CheckpointError) in try config.int("n_inner") }
        #expect(error == .missingConfigField(path: path, keys: ["n_inner"]))
        expectMessage(error, contains: ["config.json", "\"n_inner\""])
    }

    @Test func missingField() {
        let error = caught { () throws(CheckpointError) in try config.int("vocab_size") }
        #expect(error == .missingConfigField(path: path, keys: ["vocab_size"]))
        expectMessage(error, contains: ["config.json", "\"vocab_size\""])
        let either = caught { () throws(CheckpointError) in try config.double(anyOf: ["eps", "epsilon"]) }
        expectMessage(either, contains: ["config.json", "\"eps\" or \"epsilon\""])
    }

    @Test(arguments: [
        ("n_layer", "a string \"3\"", "an integer"),
        ("ratio", "a number 1.5", "an integer"),
        ("flag_as_int", "an integer 1", "a boolean"),
        ("tie_word_embeddings", "a boolean true", "an integer"),
        ("big", "a number 1e+300", "an integer"),
        ("list", "an array [1, 2]", "a string"),
        ("nested", "an object {\"a\": 1}", "a number"),
        ("model_type", "a string \"gpt2\"", "a number"),
    ])
    func wrongType(key: String, found: String, expected: String) {
        let error = caught { () throws(CheckpointError) in
            switch expected {
            case "an integer": _ = try config.int(key)
            case "a boolean": _ = try config.bool(key)
            case "a string": _ = try config.string(key)
            default: _ = try config.double(key)
            }
        }
        #expect(error == .wrongConfigType(path: path, key: key, found: found, expected: expected == "a boolean" ? "a boolean (true or false)" : expected))
        expectMessage(error, contains: ["config.json", "\"\(key)\"", found, expected])
    }

    @Test func wrongTypeEvenWithDefault() {
        let error = caught { () throws(CheckpointError) in try config.int("n_layer", default: 12) }
        expectMessage(error, contains: ["config.json", "\"n_layer\"", "\"3\""])
    }

    @Test func callerBuiltErrors() {
        let invalid = config.invalid("n_head", 5, "must divide n_embd = 64")
        #expect(invalid == .invalidConfigValue(path: path, key: "n_head", value: "5", reason: "must divide n_embd = 64"))
        expectMessage(invalid, contains: ["config.json", "\"n_head\"", "5", "must divide"])
        let unsupported = config.unsupportedModelType("llama", supported: ["gpt2"])
        expectMessage(unsupported, contains: ["config.json", "\"llama\"", "gpt2"])
    }

    @Test func missingFile() {
        let url = directory.file("absent/config.json")
        let error = caught { () throws(CheckpointError) in try JSONConfig(url: url) }
        #expect(error == .fileNotFound(path: url.path))
    }

    @Test func invalidJSON() throws {
        let url = try directory.write("broken.json", text: "{\"n_embd\": 64, \"n_head\"")
        let error = caught { () throws(CheckpointError) in try JSONConfig(url: url) }
        guard case .invalidJSON(let file, let detail) = error else {
            Issue.record("expected invalidJSON, got \(String(describing: error))")
            return
        }
        #expect(file == url.path && !detail.isEmpty)
        expectMessage(error, contains: ["broken.json"])
    }

    @Test(arguments: [("[1, 2]", "an array"), ("\"text\"", "a string"), ("null", "null"), ("3", "an integer")])
    func topLevelNotAnObject(json: String, found: String) throws {
        let url = try directory.write("top.json", text: json)
        let error = caught { () throws(CheckpointError) in try JSONConfig(url: url) }
        #expect(error == .notAJSONObject(path: url.path, found: found))
        expectMessage(error, contains: ["top.json", found])
    }

    @Test func emptyFileIsInvalidJSON() throws {
        let url = try directory.write("empty.json", [])
        guard case .invalidJSON = caught({ () throws(CheckpointError) in try JSONConfig(url: url) }) else {
            Issue.record("expected invalidJSON")
            return
        }
    }
}
