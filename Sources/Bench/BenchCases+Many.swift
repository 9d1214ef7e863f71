import Foundation
import SwiftSight

extension BenchCases {
    /// Many prompts: 32 traces from separate tasks (and one after another), and streaming one
    /// layer of 256 prompts to disk.
    static func many(model: StandardizedTransformer, inputs: BenchInputs) throws -> [BenchCase] {
        let prompts = inputs.prompts32x64
        let streamed = inputs.prompts256x64
        let tokens = inputs.ids.prompts256x64.reduce(0) { $0 + $1.count }
        return [
            BenchCase("traces_32x64", "32 traces × 64 tokens reading `layers_output[5]`: SwiftSight from 32 tasks, nnsight one after another",
                      heavy: true) {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for p in prompts { group.addTask { _ = try await model.trace(p) { t in try await t.layersOutput[5] } } }
                    try await group.waitForAll()
                }
            },
            BenchCase("traces_32x64_sequential", "32 traces × 64 tokens reading `layers_output[5]`, one after another on both sides",
                      reference: "traces_32x64", heavy: true) {
                for p in prompts { _ = try await model.trace(p) { t in try await t.layersOutput[5] } }
            },
            BenchCase("stream_l6_256x64", "streaming `layers_output[6]` of 256 prompts × 64 tokens to disk (SwiftSight `activationStream`, nnsight traces of 8 + `numpy.save`)",
                      heavy: true, tokens: tokens) {
                try await stream(model: model, prompts: streamed)
            },
        ]
    }

    /// Streams layer 6 of `prompts`, 8 per forward pass, appending each record's floats to one file.
    static func stream(model: StandardizedTransformer, prompts: [String]) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("swiftsight-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("layers_output_6.f32")
        guard FileManager.default.createFile(atPath: file.path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: file.path])
        }
        let handle = try FileHandle(forWritingTo: file)
        defer { try? handle.close() }
        let source = AsyncStream<String> { continuation in
            for p in prompts { continuation.yield(p) }
            continuation.finish()
        }
        for try await record in model.activationStream(source, at: [.layerOutput(6)], batchSize: 8) {
            try handle.write(contentsOf: record.value.withUnsafeBuffer { Data(buffer: $0) })
        }
    }
}
