import Foundation
import SwiftSight
@_spi(Testing) import SwiftSightLayers
import Testing

/// `stop()` before a module the cache asked for is an error naming the module, unless the
/// request opts into a partial cache (nnsight: "Don't call tracer.stop() before cache is accessed").
@Suite struct CacheStopTests {
    static let prompt = "My tailor is rich"

    @Test func stopBeforeACachedModuleIsAnErrorNamingIt() async throws {
        let model = try await TestModels.fixture()
        let expected = CacheError.stoppedBeforeCached(missing: ["model.transformer.h.2.output"], stoppedAfter: .layerOutput(0))
        await #expect(throws: expected) {
            try await model.trace(Self.prompt, cache: .modules(["layers.0", "layers.2"])) { t in
                _ = try await t.layersOutput[0]
                t.stop()
            }
        }
        #expect(expected.description.contains("model.transformer.h.2.output") && expected.description.contains("allowPartial"))
        // Inputs and outputs, every layer, several invokes: each missing one is named.
        await #expect(throws: CacheError.stoppedBeforeCached(
            missing: ["model.transformer.h.1.input", "model.transformer.h.1.output"], stoppedAfter: .layerOutput(0))) {
            try await model.trace(Self.prompt, cache: .modules(["layers.0", "layers.1"], inputs: true)) { t in
                _ = try await t.layersOutput[0]
                t.stop()
            }
        }
        await #expect(throws: CacheError.stoppedBeforeCached(
            missing: ["model.transformer.h.1.output", "model.transformer.h.2.output"], stoppedAfter: .layerOutput(0))) {
            try await model.trace(invokes: [Invoke("Hello") { _ in () }, Invoke(Self.prompt) { t in
                _ = try await t.layersOutput[0]
                t.stop()
            }], cache: .allLayers())
        }
        // The model is usable afterwards, and the full cache is what it should be.
        let full = try await model.trace(Self.prompt, cache: .modules(["layers.0", "layers.2"])) { _ in () }
        #expect(full.cache.keys == ["model.transformer.h.0", "model.transformer.h.2"])
    }

    @Test func aPartialCacheIsAnExplicitOptIn() async throws {
        let model = try await TestModels.fixture()
        let full = try await model.trace(Self.prompt, cache: .modules(["layers.0", "layers.2"])) { _ in () }
        let partial = try await model.trace(Self.prompt, cache: .modules(["layers.0", "layers.2"], allowPartial: true)) { t in
            _ = try await t.layersOutput[0]
            t.stop()
        }
        #expect(partial.cache.keys == ["model.transformer.h.0"])
        let layer0 = try #require(partial.cache["layers.0"]?.output ?? partial.cache["transformer.h.0"]?.output)
        #expect(try layer0.maxAbsDifference(try #require(full.cache["transformer.h.0"]?.output)) == 0)
        let all = try await model.trace(Self.prompt, cache: .allLayers(allowPartial: true)) { t in
            _ = try await t.layersOutput[1]
            t.stop()
        }
        #expect(all.cache.keys == ["model.transformer.h.0", "model.transformer.h.1"])
    }

    @Test func stopAfterTheLastCachedModuleIsFine() async throws {
        let model = try await TestModels.fixture()
        let result = try await model.trace(Self.prompt, cache: .modules(["layers.0", "layers.2"])) { t in
            _ = try await t.layersOutput[2]
            t.stop()
        }
        #expect(result.cache.keys == ["model.transformer.h.0", "model.transformer.h.2"])
    }
}
