import Foundation
import Testing
import SwiftSightCheckpoint

/// Opening checkpoint directories: single file, shards, and every broken layout.
@Suite struct CheckpointWeightsTests {
    let directory: TemporaryDirectory
    init() throws { directory = try TemporaryDirectory() }

    private func entry(_ name: String, _ shape: [Int], _ fill: Float = 1) -> SafetensorsEntry {
        SafetensorsEntry(name: name, shape: shape, payload: .float32([Float](repeating: fill, count: shape.reduce(1, *))))
    }

    private func open() -> Result<CheckpointWeights, CheckpointError> {
        Result { () throws(CheckpointError) in try CheckpointWeights(directory: directory.url) }
    }

    /// Writes two shards and an index mapping each key to its shard.
    private func writeShards(index: String? = nil) throws {
        try SafetensorsWriter.write([entry("wte.weight", [4, 2], 1), entry("ids", [2])], to: directory.file("model-00001-of-00002.safetensors"))
        try SafetensorsWriter.write([entry("h.0.mlp.c_fc.weight", [2, 8], 2)], to: directory.file("model-00002-of-00002.safetensors"))
        try directory.write(CheckpointWeights.indexFileName, text: index ?? """
            {"metadata": {"total_size": 0}, "weight_map": {
              "wte.weight": "model-00001-of-00002.safetensors",
              "ids": "model-00001-of-00002.safetensors",
              "h.0.mlp.c_fc.weight": "model-00002-of-00002.safetensors"}}
            """)
    }

    @Test func missingDirectory() {
        let url = directory.file("nowhere")
        let error = caught { () throws(CheckpointError) in try CheckpointWeights(directory: url) }
        #expect(error == .directoryNotFound(path: url.path))
        expectMessage(error, contains: ["nowhere"])
    }

    @Test func fileInsteadOfDirectory() throws {
        let url = try directory.write("config.json", text: "{}")
        let error = caught { () throws(CheckpointError) in try CheckpointWeights(directory: url) }
        #expect(error == .notADirectory(path: url.path))
    }

    @Test func missingModelFile() throws {
        try directory.write("pytorch_model.bin", [0])
        let error = caught { () throws(CheckpointError) in try CheckpointWeights(directory: directory.url) }
        #expect(error == .missingWeights(directory: directory.url.path))
        expectMessage(error, contains: [directory.url.lastPathComponent, "model.safetensors", "model.safetensors.index.json"])
    }

    @Test func singleFile() throws {
        try SafetensorsWriter.write([entry("transformer.wte.weight", [4, 2]), entry("transformer.ln_f.bias", [2], 3)],
                                    to: directory.file("model.safetensors"))
        let weights = try open().get()
        #expect(weights.keys == ["transformer.ln_f.bias", "transformer.wte.weight"])
        #expect(weights.contains("transformer.wte.weight") && !weights.contains("wte.weight"))
        #expect(weights.firstKey(among: ["wte.weight", "transformer.wte.weight"]) == "transformer.wte.weight")
        #expect(weights.firstKey(among: ["wpe.weight", "transformer.wpe.weight"]) == nil)
        #expect(weights.info("transformer.wte.weight")?.shape == [4, 2])
        #expect(weights.file(for: "transformer.ln_f.bias")?.lastPathComponent == "model.safetensors")
        #expect(weights.file(for: "nope") == nil)
        #expect(try weights.tensor("transformer.ln_f.bias", shape: [2]).scalars == [3, 3])
        #expect(try weights.tensor("transformer.ln_f.bias").scalars == [3, 3])
    }

    @Test func wrongShapeOnRequest() throws {
        try SafetensorsWriter.write([entry("h.0.attn.c_attn.weight", [4, 12])], to: directory.file("model.safetensors"))
        let weights = try open().get()
        let error = caught { () throws(CheckpointError) in try weights.tensor("h.0.attn.c_attn.weight", shape: [4, 8]) }
        #expect(error == .wrongShape(path: directory.file("model.safetensors").path, key: "h.0.attn.c_attn.weight",
                                     expected: [4, 8], actual: [4, 12]))
        expectMessage(error, contains: ["model.safetensors", "h.0.attn.c_attn.weight", "[4, 8]", "[4, 12]"])
    }

    @Test func missingKeyOnRequest() throws {
        try SafetensorsWriter.write([entry("a", [1])], to: directory.file("model.safetensors"))
        let error = caught { () throws(CheckpointError) in try open().get().tensor("lm_head.weight") }
        #expect(error == .missingTensor(key: "lm_head.weight", file: directory.file("model.safetensors").path, index: nil))
        expectMessage(error, contains: ["model.safetensors", "lm_head.weight"])
    }

    @Test func sharded() throws {
        try writeShards()
        let weights = try open().get()
        #expect(weights.keys == ["h.0.mlp.c_fc.weight", "ids", "wte.weight"])
        #expect(weights.source.lastPathComponent == CheckpointWeights.indexFileName)
        #expect(weights.file(for: "wte.weight")?.lastPathComponent == "model-00001-of-00002.safetensors")
        #expect(weights.file(for: "h.0.mlp.c_fc.weight")?.lastPathComponent == "model-00002-of-00002.safetensors")
        #expect(try weights.tensor("h.0.mlp.c_fc.weight", shape: [2, 8]).scalars == [Float](repeating: 2, count: 16))
        let error = caught { () throws(CheckpointError) in try weights.tensor("absent") }
        #expect(error == .missingTensor(key: "absent", file: directory.file(CheckpointWeights.indexFileName).path, index: nil))
    }

    @Test func singleFileWinsOverIndex() throws {
        try writeShards()
        try SafetensorsWriter.write([entry("only", [1])], to: directory.file("model.safetensors"))
        #expect(try open().get().keys == ["only"])
    }

    @Test func indexPointingToMissingShard() throws {
        try writeShards(index: """
            {"weight_map": {"wte.weight": "model-00001-of-00002.safetensors", "lm_head.weight": "model-00009-of-00009.safetensors"}}
            """)
        let error = caught { () throws(CheckpointError) in try open().get() }
        #expect(error == .missingShard(index: directory.file(CheckpointWeights.indexFileName).path,
                                       shard: directory.file("model-00009-of-00009.safetensors").path, key: "lm_head.weight"))
        expectMessage(error, contains: ["model.safetensors.index.json", "model-00009-of-00009.safetensors", "lm_head.weight"])
    }

    @Test func indexNamingAKeyTheShardLacks() throws {
        try writeShards(index: """
            {"weight_map": {"wte.weight": "model-00002-of-00002.safetensors"}}
            """)
        let error = caught { () throws(CheckpointError) in try open().get() }
        #expect(error == .missingTensor(key: "wte.weight", file: directory.file("model-00002-of-00002.safetensors").path,
                                        index: directory.file(CheckpointWeights.indexFileName).path))
        expectMessage(error, contains: ["model-00002-of-00002.safetensors", "wte.weight", "model.safetensors.index.json"])
    }

    @Test(arguments: [
        ("not json", "not valid JSON"),
        ("[1]", "must be an object"),
        ("{\"metadata\": {}}", "\"weight_map\""),
        ("{\"weight_map\": [\"a\"]}", "\"weight_map\" must be an object"),
        ("{\"weight_map\": {}}", "empty"),
        ("{\"weight_map\": {\"w\": 3}}", "\"w\""),
        ("{\"weight_map\": {\"w\": \"../model.safetensors\"}}", "../model.safetensors"),
        ("{\"weight_map\": {\"w\": \"/etc/passwd\"}}", "/etc/passwd"),
        ("{\"weight_map\": {\"w\": \"\"}}", "\"w\""),
    ])
    func malformedIndex(index: String, fragment: String) throws {
        try directory.write(CheckpointWeights.indexFileName, text: index)
        let error = caught { () throws(CheckpointError) in try open().get() }
        guard case .malformedIndex(let path, _) = error else {
            Issue.record("expected malformedIndex, got \(String(describing: error))")
            return
        }
        #expect(path == directory.file(CheckpointWeights.indexFileName).path)
        expectMessage(error, contains: ["model.safetensors.index.json", fragment])
    }

    @Test func corruptShardIsReportedWhenOpening() throws {
        try writeShards()
        try directory.write("model-00002-of-00002.safetensors", [1, 2, 3])
        let error = caught { () throws(CheckpointError) in try open().get() }
        #expect(error == .truncatedFile(path: directory.file("model-00002-of-00002.safetensors").path, needed: 8, actual: 3))
    }

    @Test func integerTensorsPassThrough() throws {
        try SafetensorsWriter.write([SafetensorsEntry(name: "ids", shape: [3], payload: .int64([5, 6, 7]))],
                                    to: directory.file("model.safetensors"))
        #expect(try open().get().int64s("ids") == [5, 6, 7])
    }
}
