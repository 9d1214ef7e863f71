import Foundation
import SwiftSightHooks

/// What ``StandardizedTransformer/dumpActivations(_:at:to:shardTokens:shardBytes:batchSize:progress:)``
/// wrote: also the contents of the folder's `manifest.json`.
public struct ActivationDump: Sendable, Codable, Equatable {
    /// One shard file.
    public struct Shard: Sendable, Codable, Equatable {
        /// The file name inside the folder, such as `activations-00000.safetensors`.
        public let file: String
        /// Rows (tokens) in the shard.
        public let tokens: Int
        /// The stream index of the prompt the shard's first row belongs to.
        public let firstPrompt: Int

        enum CodingKeys: String, CodingKey {
            case file, tokens, firstPrompt = "first_prompt"
        }
    }

    /// The checkpoint's `model_type`.
    public let modelType: String
    /// The dumped points by nnsight key (`model.transformer.h.6.output`), with their widths.
    public let points: [String: Int]
    /// The shards in order; row `r` of shard `s` follows the last row of shard `s - 1`.
    public let shards: [Shard]
    /// Prompts read from the stream.
    public let prompts: Int
    /// Rows written over all shards (one per token of every prompt).
    public let tokens: Int

    enum CodingKeys: String, CodingKey {
        case modelType = "model_type", points, shards, prompts, tokens
    }

    /// The default byte budget of a shard's rows: 512 MiB, so at most about 1 GiB is in memory
    /// (one shard filling, one being written) whatever the points' widths.
    public static let defaultShardBytes = 512 << 20
}

/// How far a dump has come, reported after each shard is written.
public struct ActivationDumpProgress: Sendable, Equatable {
    /// Prompts whose rows are gathered so far.
    public let prompts: Int
    /// Rows gathered so far.
    public let tokens: Int
    /// Shard files written so far.
    public let shardsWritten: Int
}

/// Why a dump could not start.
public enum ActivationDumpError: Error, Equatable, CustomStringConvertible {
    /// The folder already holds a dump; SwiftSight does not overwrite one.
    case folderHoldsADump(path: String)
    /// Another dump (process `holder`, when known) is writing into the folder.
    case folderInUse(path: String, holder: Int?)
    /// The folder cannot be made or locked; `reason` names the component in the way.
    case cannotCreateFolder(path: String, reason: String)
    /// Shards must hold at least one row.
    case invalidShardTokens(Int)
    /// A shard's byte budget must be positive.
    case invalidShardBytes(Int)
    /// Nothing to dump.
    case noPoints
    /// The point's rows are not one fixed width (attention probabilities are as wide as the
    /// longest prompt of a batch).
    case unsupportedPoint(HookPoint)

    public var description: String {
        switch self {
        case .folderHoldsADump(let path):
            "\(path) already holds a dump (manifest.json); choose an empty folder or remove it"
        case .folderInUse(let path, let holder):
            "another dump\(holder.map { " (process \($0))" } ?? "") is writing into \(path) "
                + "(it holds \(DumpFolder.lockName)); wait for it to finish or choose another folder"
        case .cannotCreateFolder(let path, let reason): "cannot create folder \(path): \(reason)"
        case .invalidShardTokens(let n): "shardTokens is \(n); a shard holds at least one token"
        case .invalidShardBytes(let n): "shardBytes is \(n); a shard's byte budget must be at least 1"
        case .noPoints: "no points to dump: give at least one hook point"
        case .unsupportedPoint(let point):
            "\(point) cannot be dumped: its rows are not of one fixed width (read it in a trace instead)"
        }
    }
}
