import SwiftSightCheckpoint
import Foundation
import SwiftSight
import Synchronization
import Testing

@Suite struct ActivationDumpTests {
    static let prompts = (0..<11).map { "Dump prompt \($0): the quick brown fox jumps over the lazy dog \($0) times." }

    static func temporaryFolder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("swiftsight-dump-\(UUID().uuidString)")
    }

    @Test func shardsHoldEveryTokenOfEveryPromptAsSingleTracesSeeThem() async throws {
        let model = try await TestModels.fixture()
        let folder = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let progress = Mutex<[ActivationDumpProgress]>([])
        let dump = try await model.dumpActivations(Self.prompts.async, at: [.layerOutput(2), .layerOutput(0)], to: folder,
                                                   shardTokens: 50, batchSize: 3) { p in progress.withLock { $0.append(p) } }
        let lengths = Self.prompts.map { model.tokenize($0).count }
        let total = lengths.reduce(0, +)
        #expect(dump.tokens == total && dump.prompts == Self.prompts.count)
        #expect(dump.shards.map(\.tokens) == Array(repeating: 50, count: total / 50) + (total % 50 == 0 ? [] : [total % 50]))
        #expect(dump.points == ["model.transformer.h.0.output": model.hiddenSize, "model.transformer.h.2.output": model.hiddenSize])
        #expect(progress.withLock { $0.map(\.shardsWritten) } == Array(1...dump.shards.count))
        let manifest = try JSONDecoder().decode(ActivationDump.self, from: Data(contentsOf: folder.appendingPathComponent("manifest.json")))
        #expect(manifest == dump)

        // Read every row back and put each prompt together from prompt_index and position.
        var rows: [Int: [(position: Int, id: Int64, l0: [Float], l2: [Float])]] = [:]
        for shard in dump.shards {
            let file = try SafetensorsFile(url: folder.appendingPathComponent(shard.file))
            let (l0, l2) = (try file.tensor("model.transformer.h.0.output"), try file.tensor("model.transformer.h.2.output"))
            let (ids, prompts, positions) = (try file.int64s("input_ids"), try file.int64s("prompt_index"), try file.int64s("position"))
            #expect(l0.shape == [shard.tokens, model.hiddenSize] && ids.count == shard.tokens)
            #expect(Int(prompts[0]) == shard.firstPrompt)
            for r in 0..<shard.tokens {
                rows[Int(prompts[r]), default: []].append((Int(positions[r]), ids[r], try l0.rows(r..<(r + 1)).scalars,
                                                            try l2.rows(r..<(r + 1)).scalars))
            }
        }
        for (i, prompt) in Self.prompts.enumerated() {
            let got = try #require(rows[i])
            #expect(got.map(\.position) == Array(0..<lengths[i]))
            #expect(got.map(\.id) == model.tokenize(prompt).map(Int64.init))
            let (l0, l2) = try await model.trace(prompt) { t in (try await t.layersOutput[0], try await t.layersOutput[2]) }
            let w = model.hiddenSize
            for (position, row) in got.enumerated() {
                let want0 = Array(l0.scalars[(position * w)..<((position + 1) * w)])
                let want2 = Array(l2.scalars[(position * w)..<((position + 1) * w)])
                #expect(zip(row.l0, want0).allSatisfy { abs($0 - $1) <= 1e-5 })
                #expect(zip(row.l2, want2).allSatisfy { abs($0 - $1) <= 1e-5 })
            }
        }
    }

    @Test func badRequestsAreTypedErrorsAndWriteNothing() async throws {
        let model = try await TestModels.fixture()
        let folder = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let prompts = ["Hello"].async
        await #expect(throws: ActivationDumpError.noPoints) {
            try await model.dumpActivations(prompts, at: [], to: folder)
        }
        await #expect(throws: ActivationDumpError.invalidShardTokens(0)) {
            try await model.dumpActivations(prompts, at: [.layerOutput(0)], to: folder, shardTokens: 0)
        }
        await #expect(throws: ActivationDumpError.unsupportedPoint(.attentionProbabilities(1))) {
            try await model.dumpActivations(prompts, at: [.attentionProbabilities(1)], to: folder)
        }
        await #expect(throws: TraceError.layerOutOfRange(.layerOutput(7), layers: model.numLayers)) {
            try await model.dumpActivations(prompts, at: [.layerOutput(7)], to: folder)
        }
        #expect(!FileManager.default.fileExists(atPath: folder.path))

        _ = try await model.dumpActivations(prompts, at: [.logits], to: folder)
        await #expect(throws: ActivationDumpError.folderHoldsADump(path: folder.path)) {
            try await model.dumpActivations(prompts, at: [.logits], to: folder)
        }
        // A folder path under a file: the error says which component is in the way.
        let file = folder.appendingPathComponent("manifest.json")
        let below = file.appendingPathComponent("acts")
        await #expect(throws: ActivationDumpError.cannotCreateFolder(path: below.path, reason: "\(file.path) is a regular file")) {
            try await model.dumpActivations(prompts, at: [.layerOutput(0)], to: below)
        }
        #expect(String(describing: ActivationDumpError.cannotCreateFolder(path: below.path, reason: "\(file.path) is a regular file"))
            == "cannot create folder \(below.path): \(file.path) is a regular file")
        await #expect(throws: ActivationStreamError.invalidBatchSize(0)) {
            try await model.dumpActivations(prompts, at: [.layerOutput(0)], to: folder, batchSize: 0)
        }
        await #expect(throws: ActivationDumpError.invalidShardBytes(-1)) {
            try await model.dumpActivations(prompts, at: [.layerOutput(0)], to: folder, shardBytes: -1)
        }
        // The model still works.
        #expect(try await model.trace("Hello") { t in try await t.layersOutput[0].shape } == [1, 1, model.hiddenSize])
    }

    @Test func aPromptThatCannotRunNamesItsIndex() async throws {
        let model = try await TestModels.fixture()
        let folder = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        await #expect(throws: ModelError.emptyPrompt(prompt: 2)) {
            try await model.dumpActivations(["a", "b", "", "c"].async, at: [.layerOutput(0)], to: folder, batchSize: 1)
        }
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("manifest.json").path))
    }
}
