import Foundation
import SwiftSight
import Testing

/// The attribution-patching example of Docs/Gradients.md, run as a test.
@Suite struct AttributionPatchingExampleTests {
    @Test func attributionPatchingApproximatesActivationPatching() async throws {
        let model = try await TestModels.fixture()
        let clean = "Paris is the capital of"
        let corrupted = "Rome is the capital of"
        let (good, bad) = (model.tokenize(" France")[0], model.tokenize(" Italy")[0])
        #expect(model.tokenize(clean).count == model.tokenize(corrupted).count)

        // The metric: how much the model prefers " France" over " Italy" next.
        @Sendable func metric(_ logits: Tensor) throws -> Tensor {
            let last = try logits.select(axis: 1, index: -1)
            return try (last.gather(indices: [good]) - last.gather(indices: [bad])).sum()
        }

        // 1. Clean activations at every layer output.
        let cleanActs = try await model.trace(clean) { t in
            var acts: [Tensor] = []
            for i in 0..<t.numLayers { acts.append(try await t.layersOutput[i]) }
            return acts
        }
        // 2. Corrupted run with gradients of the metric at every layer output.
        let (corruptActs, grads, corruptMetric) = try await model.trace(corrupted, gradients: .activations) { t in
            var acts: [Tensor] = []
            for i in 0..<t.numLayers { acts.append(try await t.layersOutput[i]) }
            let m = try metric(try await t.logits)
            let g = try await t.backward(m)
            return (acts, try acts.map { try g.gradient(of: $0) }, m.scalars[0])
        }
        // 3. Attribution of patching layer i at position p: (clean - corrupted) · gradient.
        var attribution: [[Float]] = []
        for i in 0..<model.numLayers {
            let delta = try (cleanActs[i] - corruptActs[i]) * grads[i]           // [1, seq, hidden]
            attribution.append(try delta.sum(axes: [0, 2]).scalars)              // one number per position
        }

        // Check against real activation patching at the last layer's last position, where
        // the linear approximation is exact up to the final norm's curvature.
        let layer = model.numLayers - 1
        let position = cleanActs[layer].shape[1] - 1
        let patched = try await model.trace(corrupted) { t in
            try await t.layersOutput.edit(layer) { v in
                let source = try cleanActs[layer][0][position].scalars
                let width = source.count
                v.withUnsafeMutableBuffer { p in for j in 0..<width { p[position * width + j] = source[j] } }
            }
            return try metric(try await t.logits).scalars[0]
        }
        let actual = patched - corruptMetric
        let estimated = attribution[layer][position]
        #expect(attribution.count == model.numLayers && attribution[0].count == model.tokenize(corrupted).count)
        #expect(abs(estimated - actual) <= 0.5 * abs(actual) + 1e-3, "estimated \(estimated), actual \(actual)")
        // The prompts differ in their first token, so patching it at layer 0 matters.
        #expect(attribution[0][0] != 0)
    }
}
