import Testing
import SwiftSightCache
import SwiftSightHooks
import SwiftSightLayers

/// The cache as a bus observer, with no model: points are reached on a bus directly.
@Suite struct CacheRecorderTests {
    static let naming = ModuleNaming(embedTokens: "wte", layer: "h.{i}", attention: "h.{i}.attn", mlp: "h.{i}.mlp",
                                     finalNorm: "ln_f", head: "lm_head")
    /// Two sequences of lengths 2 and 1, width 1: packed rows [s0, s0, s1].
    static let layout = SequenceLayout(lengths: [2, 1])

    static func packed(_ values: [Float]) -> Tensor { Tensor(uncheckedShape: [3, 1], values: values) }

    @Test func recordsItsPointsByModuleNameLeftPaddedAfterEdits() async throws {
        let recorder = CacheRecorder(points: [.layerInput(0), .layerOutput(0)], naming: Self.naming)
        let bus = HookBus(layout: Self.layout, invokeSequences: [0..<2], layers: 1, observers: [recorder])
        let editor = Task {
            try await bus.edit(.layerOutput(0), invoke: 0) { $0 = Tensor(uncheckedShape: $0.shape, values: $0.scalars.map { -$0 }) }
            bus.interventionFinished(invoke: 0)
        }
        var x = Self.packed([1, 2, 3])
        for point in [HookPoint.tokenEmbeddings, .layerInput(0), .attentionInput(0), .layerOutput(0), .logits] {
            try await bus.reach(point, &x)
        }
        try await editor.value
        let cache = recorder.recorded
        #expect(cache.keys == ["model.h.0"])
        // [sequences, longest, width], zeros at the padding.
        #expect(cache[.layerInput(0)]?.shape == [2, 2, 1])
        #expect(cache[.layerInput(0)]?.scalars == [1, 2, 0, 3])
        // The observer sees the value after the intervention's edit.
        #expect(cache["h.0"]?.output?.scalars == [-1, -2, 0, -3])
        #expect(cache.flattened.map(\.key) == ["model.h.0.input", "model.h.0.output"])
    }

    @Test func aStopBeforeACachedPointIsAnErrorNamingItUnlessPartialIsAllowed() async throws {
        for allowPartial in [false, true] {
            let recorder = CacheRecorder(points: [.layerOutput(0), .logits], naming: Self.naming, allowPartial: allowPartial)
            let bus = HookBus(layout: Self.layout, invokeSequences: [0..<2], layers: 1, observers: [recorder])
            bus.stop()
            bus.interventionFinished(invoke: 0)
            var x = Self.packed([1, 2, 3])
            // The stop takes effect after the current point.
            await #expect(throws: TraceStopped.self) { try await bus.reach(.tokenEmbeddings, &x) }
            #expect(bus.stoppedAfter == .tokenEmbeddings)
            #expect(recorder.recorded[.layerOutput(0)] == nil)
            if allowPartial {
                try recorder.checkComplete(stoppedAfter: .tokenEmbeddings)
            } else {
                #expect(throws: CacheError.stoppedBeforeCached(missing: ["model.h.0.output", "model.lm_head.output"],
                                                              stoppedAfter: .tokenEmbeddings)) {
                    try recorder.checkComplete(stoppedAfter: .tokenEmbeddings)
                }
            }
        }
    }
}
