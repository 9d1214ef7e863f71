import SwiftSightActors
import SwiftSightCheckpoint
import Foundation
import SwiftSightHooks
import SwiftSightLayers
import Synchronization

extension StandardizedTransformer {
    /// Streams the activations at `points` of every prompt to safetensors shards in `folder`,
    /// for training sparse autoencoders and other work on millions of tokens.
    ///
    /// Each shard `activations-NNNNN.safetensors` holds `shardTokens` rows, or as many as fit in
    /// `shardBytes` if fewer (the last may hold fewer), one per token: every point under its
    /// nnsight key (`model.transformer.h.6.output`, [rows, width], F32), and `input_ids`,
    /// `prompt_index` and `position` ([rows], int64). The folder's `manifest.json` lists the shards
    /// and points; it is written last, so a folder with a manifest holds a complete dump. The
    /// dump holds the folder exclusively (an `flock` on `.swiftsight-dump.lock`, released when it
    /// returns or its process dies), so a second dump into the same folder fails at once instead
    /// of overwriting shards. The forward passes end at the last of `points`, and a shard is
    /// written on its own thread while the next one fills, so the model rarely waits for the
    /// disk; at most two shards are in memory, their buffers growing as rows arrive.
    /// Cancelling the calling task ends the forward passes too and throws `CancellationError`.
    /// ```swift
    /// let dump = try await model.dumpActivations(prompts, at: [.layerOutput(6)], to: folder)
    /// print(dump.tokens, "tokens in", dump.shards.count, "shards")
    /// ```
    /// - Throws: ``ActivationDumpError`` for a bad request, a folder that already holds a dump,
    ///   that another dump is writing into, or that cannot be made;
    ///   ``Checkpoint/CheckpointError/writeFailed(path:reason:)`` naming the file that could not be
    ///   written; a ``ModelError`` naming a prompt that cannot be run; `CancellationError`. Shards
    ///   written before an error stay, without a manifest.
    /// - Complexity: memory O(min(shardTokens · row size, shardBytes)).
    public func dumpActivations<Prompts: AsyncSequence & Sendable>(
        _ prompts: Prompts, at points: Set<HookPoint>, to folder: URL, shardTokens: Int = 65_536,
        shardBytes: Int = ActivationDump.defaultShardBytes, batchSize: Int = 8,
        progress: @escaping @Sendable (ActivationDumpProgress) -> Void = { _ in }
    ) async throws -> ActivationDump where Prompts.Element == String {
        let ordered = try checkDumpRequest(points, shardTokens: shardTokens, shardBytes: shardBytes, batchSize: batchSize)
        let keys = ordered.map(info.naming.envoyKey(of:))
        let widths = ordered.map { $0 == .logits ? info.vocabSize : hiddenSize }
        let capacity = ShardBuilder.rows(shardTokens: shardTokens, shardBytes: shardBytes, widths: widths)
        let lock = try DumpFolder(folder.path)
        defer { lock.release() }
        let manifest = folder.appendingPathComponent("manifest.json")
        if FileManager.default.fileExists(atPath: manifest.path) { throw ActivationDumpError.folderHoldsADump(path: folder.path) }

        let writer = ComputeWorker(name: "swiftsight.dump")
        let promptsRead = Mutex(0)
        let shards = ProducedStream<ShardBuilder.Shard> { [self] send in
            var builder = ShardBuilder(keys: keys, widths: widths, capacity: capacity)
            var pending = [Tensor?](repeating: nil, count: ordered.count)
            for try await record in activationStream(prompts, at: points, batchSize: batchSize) {
                guard let k = ordered.firstIndex(of: record.point) else { continue }
                pending[k] = record.value
                guard k == ordered.count - 1 else { continue }
                for shard in builder.add(prompt: record.index, tokens: record.tokens, perKey: pending.compactMap { $0 }) {
                    try await send(shard)
                }
                promptsRead.withLock { $0 = record.index + 1 }
                pending = pending.map { _ in nil }
            }
            // A cancelled stream ends like a finished one: do not pass it off as complete.
            try Task.checkCancellation()
            if let last = builder.finish() { try await send(last) }
        }
        var written: [ActivationDump.Shard] = []
        var tokens = 0
        // Cancelling the caller, or a shard that cannot be written, stops the forward passes
        // and waits for them before the error reaches the caller.
        try await shards.forEach { shard in
            let file = String(format: "activations-%05d.safetensors", shard.number)
            let url = folder.appendingPathComponent(file)
            let entries = shard.entries
            try await writer.run {
                try SafetensorsWriter.write(entries, metadata: ["producer": "swiftsight \(SwiftSightVersion.string)"], to: url)
            }
            written.append(.init(file: file, tokens: shard.rows, firstPrompt: shard.firstPrompt))
            tokens += shard.rows
            progress(ActivationDumpProgress(prompts: shard.firstPrompt, tokens: tokens, shardsWritten: written.count))
        }
        let dump = ActivationDump(modelType: info.modelType, points: Dictionary(uniqueKeysWithValues: zip(keys, widths)),
                                  shards: written, prompts: promptsRead.withLock { $0 }, tokens: tokens)
        try writeManifest(dump, to: manifest)
        return dump
    }

    /// The points in forward order, after checking the request (before touching the disk).
    private func checkDumpRequest(_ points: Set<HookPoint>, shardTokens: Int, shardBytes: Int, batchSize: Int) throws -> [HookPoint] {
        guard !points.isEmpty else { throw ActivationDumpError.noPoints }
        guard shardTokens > 0 else { throw ActivationDumpError.invalidShardTokens(shardTokens) }
        guard shardBytes > 0 else { throw ActivationDumpError.invalidShardBytes(shardBytes) }
        guard batchSize > 0 else { throw ActivationStreamError.invalidBatchSize(batchSize) }
        let ordered = points.sorted()
        for point in ordered {
            if point.isAttentionProbabilities { throw ActivationDumpError.unsupportedPoint(point) }
            if let layer = point.layer, !(0..<numLayers).contains(layer) { throw TraceError.layerOutOfRange(point, layers: numLayers) }
        }
        return ordered
    }

    private func writeManifest(_ dump: ActivationDump, to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try OutputFile.write(Array(try encoder.encode(dump)), to: url.path)
    }
}
