import Foundation
import SwiftSight
import Synchronization
import Testing

/// Dumps that are cancelled, run twice into one folder, or asked for absurd shard sizes.
@Suite struct ActivationDumpSafetyTests {
    /// Prompts that never end (until the reading task is cancelled), counting how many were read.
    final class EndlessPrompts: Sendable {
        let read = Mutex(0)
        var sequence: AsyncStream<String> {
            AsyncStream { [self] in
                if Task.isCancelled { return nil }
                let n = self.read.withLock { $0 += 1; return $0 }
                return "Endless prompt \(n): the quick brown fox jumps over the lazy dog."
            }
        }
    }

    /// Starts a dump of endless prompts into `folder` and returns once it has written a shard.
    static func startEndlessDump(_ model: StandardizedTransformer, into folder: URL) async -> Task<ActivationDump, Error> {
        let (started, signal) = AsyncStream<Void>.makeStream()
        let prompts = EndlessPrompts()
        let task = Task {
            try await model.dumpActivations(prompts.sequence, at: [.layerOutput(0)], to: folder, shardTokens: 16, batchSize: 2) { _ in
                signal.yield()
            }
        }
        for await _ in started { break }
        return task
    }

    /// The result of `task`, or nil if it takes longer than `limit` (the task is then left
    /// running: a task group would wait for it, so two unstructured tasks race to resume).
    static func result<T: Sendable>(of task: Task<T, Error>, within limit: Duration) async -> Result<T, Error>? {
        let waiter = Waiter<Result<T, Error>?>()
        return await withCheckedContinuation { continuation in
            waiter.continuation.withLock { $0 = continuation }
            Task { waiter.resume(await task.result) }
            Task {
                try? await Task.sleep(for: limit)
                waiter.resume(nil)
            }
        }
    }

    /// A continuation that the first of several tasks resumes.
    final class Waiter<Value: Sendable>: Sendable {
        let continuation = Mutex<CheckedContinuation<Value, Never>?>(nil)
        func resume(_ value: Value) { continuation.withLock { $0.take() }?.resume(returning: value) }
    }

    @Test func cancellingADumpEndsItPromptlyEveryTime() async throws {
        let model = try await TestModels.fixture()
        for attempt in 0..<6 {
            let folder = ActivationDumpTests.temporaryFolder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let task = await Self.startEndlessDump(model, into: folder)
            let start = ContinuousClock.now
            task.cancel()
            guard let outcome = await Self.result(of: task, within: .seconds(10)) else {
                Issue.record("attempt \(attempt): the cancelled dump did not return within 10 s")
                return
            }
            #expect(throws: CancellationError.self) { try outcome.get() }
            #expect(ContinuousClock.now - start < .seconds(10))
            // No manifest: a cancelled dump is not a complete one. The lock is gone.
            #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("manifest.json").path))
            #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent(".swiftsight-dump.lock").path))
        }
        let folder = ActivationDumpTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let dump = try await model.dumpActivations(ActivationDumpTests.prompts.async, at: [.layerOutput(1)], to: folder)
        #expect(dump.prompts == ActivationDumpTests.prompts.count)
    }

    @Test func aSecondDumpIntoTheSameFolderFailsWhileTheFirstRuns() async throws {
        let model = try await TestModels.fixture()
        let folder = ActivationDumpTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = await Self.startEndlessDump(model, into: folder)
        let error = ActivationDumpError.folderInUse(path: folder.path, holder: Int(getpid()))
        await #expect(throws: error) {
            try await model.dumpActivations(["Hello"].async, at: [.layerOutput(0)], to: folder)
        }
        #expect(error.description.contains(folder.path) && error.description.contains("another dump"))
        first.cancel()
        _ = await Self.result(of: first, within: .seconds(10))
        // Released: the folder can be dumped into now.
        let dump = try await model.dumpActivations(["Hello world"].async, at: [.layerOutput(0)], to: folder)
        #expect(dump.tokens == model.tokenize("Hello world").count)
    }

    @Test func aLockFileLeftByAKilledDumpDoesNotBlock() async throws {
        let model = try await TestModels.fixture()
        let folder = ActivationDumpTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data("12345\n".utf8).write(to: folder.appendingPathComponent(".swiftsight-dump.lock"))
        let dump = try await model.dumpActivations(["Hello world"].async, at: [.layerOutput(0)], to: folder)
        #expect(dump.shards.count == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
            == ["activations-00000.safetensors", "manifest.json"])
    }

    @Test func shardsAreSizedByBytesAsWellAsRows() async throws {
        let model = try await TestModels.fixture()
        let folder = ActivationDumpTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // A logits row: vocabulary F32s plus three int64s; a budget of three rows and a bit.
        let row = model.vocabSize * 4 + 24
        let prompts = Array(ActivationDumpTests.prompts.prefix(3))
        let total = prompts.map { model.tokenize($0).count }.reduce(0, +)
        let dump = try await model.dumpActivations(prompts.async, at: [.logits], to: folder,
                                                   shardTokens: 1 << 58, shardBytes: 3 * row + 5)
        #expect(dump.tokens == total)
        #expect(dump.shards.map(\.tokens) == Array(repeating: 3, count: total / 3) + (total % 3 == 0 ? [] : [total % 3]))
    }

    /// Row counts whose buffers would overflow `capacity * width` or ask for terabytes.
    @Test(arguments: [288_230_376_151_711_744, 1_099_511_627_776, Int.max])
    func absurdShardTokensAreBoundedByBytes(shardTokens: Int) async throws {
        let model = try await TestModels.fixture()
        let folder = ActivationDumpTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let dump = try await model.dumpActivations(["Hello world"].async, at: [.logits, .layerOutput(0)], to: folder,
                                                   shardTokens: shardTokens)
        #expect(dump.shards.map(\.tokens) == [model.tokenize("Hello world").count])
    }
}
