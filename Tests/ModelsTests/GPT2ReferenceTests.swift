import SwiftSightCheckpoint
import Foundation
import SwiftSightHooks
@_spi(Testing) import SwiftSightLayers
import SwiftSightModels
import SwiftSightTestSupport
import Synchronization
import Testing

/// Every hook point of every reference case equals Hugging Face transformers' value.
@Suite struct GPT2ReferenceTests {
    static let cases = [
        "tailor", "hello", "long", "batch",
        "original-layout-f16-tailor", "original-layout-f16-batch",
        "original-layout-bf16-tailor", "original-layout-bf16-batch",
        "flags-f32-tailor", "flags-f32-batch",
    ]

    @Test(arguments: cases)
    func everyHookPointMatchesTransformers(_ name: String) async throws {
        let fixture = try Fixtures.Case(name)
        let model = try ModelLoader.loadModel(directory: fixture.modelDirectory)
        let recorded = Mutex<[HookPoint: Tensor]>([:])
        let logits = try await ForwardPass.run(model, fixture.batch) { point, value in
            recorded.withLock { $0[point] = value }
        }
        let values = recorded.withLock { $0 }
        let points = HookPoint.all(layers: model.info.numLayers)
        #expect(values.count == points.count)
        for point in points {
            let key = model.info.naming.envoyKey(of: point)
            let reference = try fixture.reference(key)
            let mine = try #require(values[point], "\(point) was not fired")
            #expect(mine.shape == [fixture.batch.rows, reference.shape[2]], "\(key)")
            let diff = try maxDifferenceOverRealTokens(packed: mine, reference: reference, batch: fixture.batch)
            #expect(diff <= 1e-4, "\(name): \(key) differs by \(diff)")
        }
        #expect(logits.shape == [fixture.batch.rows, model.info.vocabSize])
    }

    @Test func paddedBatchRowsEqualSinglePromptRuns() async throws {
        let fixture = try Fixtures.Case("batch")
        let model = try ModelLoader.loadModel(directory: fixture.modelDirectory)
        let batched = try await ForwardPass.run(model, fixture.batch)
        for (s, sequence) in fixture.batch.sequences.enumerated() {
            let alone = try await ForwardPass.run(model, TokenBatch([sequence]))
            let rows = fixture.batch.rows(of: s)
            #expect(try batched.rows(rows).maxAbsDifference(alone) <= 1e-5)
        }
    }
}
