import Foundation
import SwiftSightReading
import SwiftSightLayers

/// The weights of a Hugging Face checkpoint directory, from one file or from shards.
///
/// Reads `model.safetensors` when present (as `transformers` does), otherwise
/// `model.safetensors.index.json` and the shards its `weight_map` names. All files are
/// opened and validated up front, each shard once, so a missing shard or a key the index
/// promises but a shard lacks is reported when the checkpoint is opened, not mid-load.
package struct CheckpointWeights: Sendable {
    /// File name of an unsharded checkpoint.
    package static let singleFileName = "model.safetensors"
    /// File name of a sharded checkpoint's index.
    package static let indexFileName = "model.safetensors.index.json"

    /// The checkpoint directory.
    package let directory: URL
    /// Every tensor key, sorted.
    package let keys: [String]
    /// `model.safetensors` or the index file: where a missing key was looked up.
    package let source: URL

    private let files: [SafetensorsFile]
    private let fileIndex: [String: Int]

    /// Opens the weights in `directory`, which must exist and hold `model.safetensors` or
    /// `model.safetensors.index.json`.
    package init(directory: URL) throws(CheckpointError) {
        try CheckpointError.checkFolder(directory)
        self.directory = directory

        let single = directory.appendingPathComponent(Self.singleFileName)
        let index = directory.appendingPathComponent(Self.indexFileName)
        if FileManager.default.fileExists(atPath: single.path) {
            let file = try SafetensorsFile(url: single)
            files = [file]
            fileIndex = Dictionary(uniqueKeysWithValues: file.names.map { ($0, 0) })
            source = single
        } else if FileManager.default.fileExists(atPath: index.path) {
            let shards = try ShardIndex(url: index)
            var opened: [SafetensorsFile] = []
            var position: [String: Int] = [:]  // shard file name -> index into `opened`
            for shard in shards.shardNames {
                position[shard] = opened.count
                let url = directory.appendingPathComponent(shard)
                guard FileManager.default.fileExists(atPath: url.path) else {
                    let key = shards.weightMap.filter { $0.value == shard }.keys.min() ?? ""
                    throw .missingShard(index: index.path, shard: url.path, key: key)
                }
                opened.append(try SafetensorsFile(url: url))
            }
            var located: [String: Int] = [:]
            for (key, shard) in shards.weightMap.sorted(by: { $0.key < $1.key }) {
                guard let i = position[shard] else { continue }  // every shard is in shardNames
                guard opened[i].contains(key) else {
                    throw .missingTensor(key: key, file: opened[i].url.path, index: index.path)
                }
                located[key] = i
            }
            files = opened
            fileIndex = located
            source = index
        } else {
            throw .missingWeights(directory: directory.path)
        }
        keys = fileIndex.keys.sorted()
    }

    /// Whether the checkpoint holds tensor `key`.
    package func contains(_ key: String) -> Bool { fileIndex[key] != nil }

    /// The first of `candidates` that the checkpoint holds, or nil.
    ///
    /// Lets model code accept the layouts found in the wild, for example
    /// `firstKey(among: ["transformer.wte.weight", "wte.weight"])`.
    package func firstKey(among candidates: [String]) -> String? {
        candidates.first(where: contains)
    }

    /// The dtype and shape of tensor `key`, or nil if absent.
    package func info(_ key: String) -> TensorInfo? {
        fileIndex[key].flatMap { files[$0].info(key) }
    }

    /// The file holding tensor `key`, or nil if absent.
    package func file(for key: String) -> URL? {
        fileIndex[key].map { files[$0].url }
    }

    /// Tensor `key` as Float32; when `shape` is given, the tensor must have exactly that shape.
    package func tensor(_ key: String, shape: [Int]? = nil) throws(CheckpointError) -> Tensor {
        let file = try self.file(holding: key)
        if let shape, let actual = file.info(key)?.shape, actual != shape {
            throw .wrongShape(path: file.url.path, key: key, expected: shape, actual: actual)
        }
        return try file.tensor(key)
    }

    /// The elements of integer or boolean tensor `key`, widened to Int64.
    package func int64s(_ key: String) throws(CheckpointError) -> [Int64] {
        try file(holding: key).int64s(key)
    }

    private func file(holding key: String) throws(CheckpointError) -> SafetensorsFile {
        guard let i = fileIndex[key] else {
            throw .missingTensor(key: key, file: source.path, index: nil)
        }
        return files[i]
    }
}
