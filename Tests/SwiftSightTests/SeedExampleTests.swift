import Foundation
import SwiftSight
@_spi(Testing) import SwiftSightLayers
import Synchronization
import Testing

/// The examples of the nnsight best-practices document (../shared/seed), in Swift.
@Suite struct SeedExampleTests {
    static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    func reference(_ key: String) throws -> Tensor {
        try SafetensorsFile(url: Self.fixtures.appendingPathComponent("activations/tailor.safetensors")).tensor(key)
    }

    /// ✅ Access layers in forward order: layer 1, then layer 2, then the logits.
    @Test func forwardOrderWorks() async throws {
        let model = try await TestModels.fixture()
        let (l1, l2, logits) = try await model.trace("My tailor is rich") { t in
            let l1 = try await t.layersOutput[1]
            let l2 = try await t.layersOutput[2]
            return (l1, l2, try await t.logits)
        }
        #expect(try l1.maxAbsDifference(try reference("model.transformer.h.1.output")) <= 1e-4)
        #expect(try l2.maxAbsDifference(try reference("model.transformer.h.2.output")) <= 1e-4)
        #expect(try logits.maxAbsDifference(try reference("model.lm_head.output")) <= 1e-4)
    }

    /// ❌ Layer 2 then layer 1 fails, with an error naming both points.
    @Test func wrongOrderFailsNamingBothPoints() async throws {
        let model = try await TestModels.fixture()
        do {
            _ = try await model.trace("My tailor is rich") { t in
                _ = try await t.layersOutput[2]
                return try await t.layersOutput[1]
            }
            Issue.record("expected an out-of-order error")
        } catch let error as TraceError {
            #expect(error == .outOfOrder(requested: .layerOutput(1), passed: .layerOutput(2)))
            #expect(error.description.contains("layers_output.1") && error.description.contains("layers_output.2"))
        }
        // The model stays usable.
        let after = try await model.trace("Hello") { t in try await t.layersOutput[0] }
        #expect(after.shape == [1, 1, 64])
    }

    /// ✅ All components in forward order: attention 0, MLP 0, layer 0, attention 1.
    @Test func componentsInForwardOrder() async throws {
        let model = try await TestModels.fixture()
        let values = try await model.trace("Hello") { t in
            [try await t.attentionsOutput[0], try await t.mlpsOutput[0], try await t.layersOutput[0], try await t.attentionsOutput[1]]
        }
        #expect(values.map(\.shape) == Array(repeating: [1, 1, 64], count: 4))
    }

    /// ❌ Reading layers_output[1] after the logits fails.
    @Test func readingAnEarlierLayerAfterTheLogitsFails() async throws {
        let model = try await TestModels.fixture()
        await #expect(throws: TraceError.outOfOrder(requested: .layerOutput(1), passed: .logits)) {
            try await model.trace("My tailor is rich") { t in
                _ = try await t.logits
                return try await t.layersOutput[1]
            }
        }
    }

    /// tracer.stop(): only the layers up to the stop point run, and the value is the same.
    @Test func stopSkipsTheRemainingLayers() async throws {
        let model = try await TestModels.fixture()
        let before = model.blocksComputed
        let full = try await model.trace("Hello world") { t in
            let value = try await t.layersOutput[1]
            _ = try await t.logits                   // the whole pass
            return value
        }
        let afterFull = model.blocksComputed
        let stopped = try await model.trace("Hello world") { t in
            let value = try await t.layersOutput[1]
            t.stop()
            return value
        }
        let afterStopped = model.blocksComputed
        #expect(afterFull - before == 3)
        #expect(afterStopped - afterFull == 2)
        #expect(try stopped.maxAbsDifference(full) == 0)
    }

    /// Caching every other layer: keys are module names; values equal the reference.
    @Test func cacheEveryOtherLayer() async throws {
        let model = try await TestModels.fixture()
        let modules = stride(from: 0, to: model.numLayers, by: 2).map { "model.transformer.h.\($0)" }
        let result = try await model.trace("My tailor is rich", cache: .modules(modules)) { _ in () }
        #expect(result.cache.keys == ["model.transformer.h.0", "model.transformer.h.2"])
        let h0 = try #require(result.cache["model.transformer.h.0"]?.output)
        #expect(h0.shape == [1, 4, 64])
        #expect(try h0.maxAbsDifference(try reference("model.transformer.h.0.output")) <= 1e-4)
        #expect(try result.cache["model.transformer.h.2"]?.output?.maxAbsDifference(try reference("model.transformer.h.2.output")) ?? 1 <= 1e-4)
    }
}
