import Foundation
import SwiftSightReading

/// The parsed `model.safetensors.index.json` of a sharded checkpoint.
///
/// Only `weight_map` (tensor key → shard file name) is read; `metadata.total_size` is
/// informational and often wrong in the wild, so it is ignored.
struct ShardIndex: Sendable {
    /// Tensor key → shard file name, relative to the checkpoint directory.
    let weightMap: [String: String]
    /// The distinct shard names, sorted.
    let shardNames: [String]

    init(url: URL) throws(CheckpointError) {
        let path = url.path
        let root: JSONValue
        switch JSONValue.parseObjects(try MappedFile.contents(of: path)) {
        case .success(let value): root = value
        case .failure(let error): throw .malformedIndex(path: path, detail: "it is not valid JSON (\(error.detail))")
        }
        guard let members = root.dictionary else {
            throw .malformedIndex(path: path, detail: "the top level must be an object, but is \(root.kindDescription)")
        }
        guard let mapValue = members["weight_map"] else {
            throw .malformedIndex(path: path, detail: "it has no \"weight_map\" field")
        }
        guard let entries = mapValue.dictionary else {
            throw .malformedIndex(path: path, detail: "\"weight_map\" must be an object, but is \(mapValue.kindDescription)")
        }
        guard !entries.isEmpty else {
            throw .malformedIndex(path: path, detail: "\"weight_map\" is empty, so the checkpoint has no tensors")
        }
        var weightMap: [String: String] = [:]
        for (key, value) in entries.sorted(by: { $0.key < $1.key }) {
            guard case .string(let shard) = value else {
                throw .malformedIndex(path: path, detail: "\"weight_map\" entry \"\(key)\" must be a file name, but is \(value.shortText)")
            }
            // A shard must stay inside the checkpoint directory.
            let parts = shard.split(separator: "/", omittingEmptySubsequences: false)
            guard !shard.isEmpty, !shard.hasPrefix("/"), !parts.contains(".."), !parts.contains("") else {
                throw .malformedIndex(path: path, detail: "\"weight_map\" entry \"\(key)\" names \"\(shard)\", which is not a file in the checkpoint directory")
            }
            weightMap[key] = shard
        }
        self.weightMap = weightMap
        self.shardNames = Set(weightMap.values).sorted()
    }
}
