import Foundation
import SwiftSight
@_spi(Testing) import SwiftSightLayers
import Synchronization
import Testing

/// Gradients inside traces against torch autograd (Scripts/make_fixtures.py, gradients.safetensors).
@Suite struct GradientTests {
    static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let file = Result { try SafetensorsFile(url: fixtures.appendingPathComponent("activations/gradients.safetensors")) }

    static let layerPoints: [HookPoint] = [.tokenEmbeddings, .layerOutput(0), .layerOutput(1), .layerOutput(2)]

    func reference(_ name: String, _ point: HookPoint) throws -> Tensor {
        try Self.file.get().tensor("\(name).\(GPT2Model.naming.envoyKey(of: point))")
    }


    /// Reads every layer point, then backward of `loss(logits)`; returns the gradients at the points.
    func gradients(_ prompt: String = "My tailor is rich", loss: @escaping @Sendable (Tensor) throws -> Tensor,
                   editing: [HookPoint: @Sendable (inout Tensor) throws -> Void] = [:]) async throws -> [HookPoint: Tensor] {
        let model = try await TestModels.fixture()
        return try await model.trace(prompt, gradients: .activations) { t in
            let points = (Self.layerPoints + (editing[.mlpOutput(1)] != nil ? [.mlpOutput(1)] : [])).sorted()
            for p in points { _ = try await t.value(at: p) }
            let logits = try await t.logits
            let g = try await t.backward(try loss(logits), editing: editing)
            var out: [HookPoint: Tensor] = [:]
            for p in Self.layerPoints { out[p] = try g.gradient(at: p) }
            return out
        }
    }

    @Test func sumOfLogits() async throws {
        let g = try await gradients { $0.sum() }
        for p in Self.layerPoints { try expectClose(g[p]!, try reference("sum", p), "sum \(p)") }
    }

    @Test func squaredSumOfLogits() async throws {
        let g = try await gradients { pow($0.sum(), 2) }
        for p in Self.layerPoints { try expectClose(g[p]!, try reference("sum_squared", p), "sum_squared \(p)") }
    }

    @Test func nextTokenCrossEntropy() async throws {
        let ids = [427, 571, 300, 529]
        let g = try await gradients { logits in
            try logits.select(axis: 0, index: 0).slice(axis: 0, range: 0..<3).crossEntropy(targets: Array(ids.dropFirst()))
        }
        for p in Self.layerPoints { try expectClose(g[p]!, try reference("cross_entropy", p), "cross_entropy \(p)") }
    }

    @Test func logitDifferenceAtTheLastPosition() async throws {
        let tokens = try Self.file.get().int64s("logit_diff.tokens").map(Int.init)
        let g = try await gradients { logits in
            let last = try logits.select(axis: 1, index: -1)                       // [1, vocab]
            return try (last.gather(indices: [tokens[0]]) - last.gather(indices: [tokens[1]])).sum()
        }
        for p in Self.layerPoints { try expectClose(g[p]!, try reference("logit_diff", p), "logit_diff \(p)") }
    }

    @Test func throughASteeringIntervention() async throws {
        let model = try await TestModels.fixture()
        let (g, logits) = try await model.trace("My tailor is rich", gradients: .activations) { t in
            _ = try await t.tokenEmbeddings
            _ = try await t.layersOutput[0]
            try await t.layersOutput.edit(1) { $0 = $0 + 0.5 }
            _ = try await t.layersOutput[1]
            _ = try await t.layersOutput[2]
            let logits = try await t.logits
            let g = try await t.backward(logits.sum())
            return (try Self.layerPoints.map { try g.gradient(at: $0) }, logits)
        }
        try expectClose(logits, try Self.file.get().tensor("steered.logits"), "steered logits")
        for (p, v) in zip(Self.layerPoints, g) { try expectClose(v, try reference("steered", p), "steered \(p)") }
    }

    @Test func editingTheGradientThroughAnMLP() async throws {
        let g = try await gradients(loss: { $0.sum() }, editing: [.mlpOutput(1): { $0 = try Tensor.zeros($0.shape) }])
        for p in Self.layerPoints { try expectClose(g[p]!, try reference("mlp1_grad_zeroed", p), "mlp1_grad_zeroed \(p)") }
        let plain = try await gradients { $0.sum() }
        #expect(try g[.layerOutput(0)]!.maxAbsDifference(plain[.layerOutput(0)]!) > 1e-3)
        #expect(try g[.layerOutput(2)]!.maxAbsDifference(plain[.layerOutput(2)]!) == 0)
    }

    @Test func eachInvokeGetsTheGradientOfItsOwnRows() async throws {
        let model = try await TestModels.fixture()
        let prompts = ["My tailor is rich", "Hello world"]
        let grads = try await model.trace(invokes: prompts.map { p in
            Invoke(p) { t in
                _ = try await t.layersOutput[1]
                let logits = try await t.logits
                return try await t.backward(logits.sum(), retainGraph: true).gradient(at: .layerOutput(1))
            }
        }, gradients: .activations)
        let reference = try reference("batch_sum", .layerOutput(1))     // [2, 4, 64], row 1 left-padded
        try expectClose(grads[0], try reference.rows(0..<1), "invoke 0")
        let n = grads[1].shape[1]
        try expectClose(try grads[1][0], try reference[1].rows((4 - n)..<4), "invoke 1")
    }

    @Test func parameterGradients() async throws {
        let model = try await TestModels.fixture()
        let g = try await model.trace("My tailor is rich", gradients: .parameters) { t in
            try await t.backward(try await t.logits.sum())
        }
        let file = try Self.file.get()
        try expectClose(try g.parameter("transformer.h.1.mlp.c_fc.weight"), try file.tensor("param.transformer.h.1.mlp.c_fc.weight"), "c_fc.weight")
        try expectClose(try g.parameter("transformer.h.1.attn.c_attn.bias"), try file.tensor("param.transformer.h.1.attn.c_attn.bias"), "c_attn.bias")
        #expect(g.parameterNames.contains("transformer.wte.weight"))
    }

    // The seed document's gradient examples.

    @Test func seedBasicGradient() async throws {
        let model = try await TestModels.fixture()
        let grad = try await model.trace("My tailor is rich", gradients: .activations) { t in
            let l1 = try await t.layersOutput[1]
            let logits = try await t.logits
            return try await t.backward(logits.sum()).gradient(of: l1)
        }
        try expectClose(grad, try reference("sum", .layerOutput(1)), "l1.grad")
    }

    @Test func seedMultipleBackwardsNeedRetainGraph() async throws {
        let model = try await TestModels.fixture()
        let (g1, g2) = try await model.trace("My tailor is rich", gradients: .activations) { t in
            let l1 = try await t.layersOutput[1]
            let logits = try await t.logits
            let g1 = try await t.backward(logits.sum(), retainGraph: true).gradient(of: l1)
            let g2 = try await t.backward(pow(logits.sum(), 2)).gradient(of: l1)
            return (g1, g2)
        }
        #expect(try g1.maxAbsDifference(g2) > 1e-3)                                  // assert not allclose
        try expectClose(g2, try reference("sum_squared", .layerOutput(1)), "second backward")
        await #expect(throws: AutogradError.graphFreed) {
            try await model.trace("My tailor is rich", gradients: .activations) { t in
                let logits = try await t.logits
                _ = try await t.backward(logits.sum())
                _ = try await t.backward(logits.sum())
            }
        }
    }

    @Test func seedOrderRules() async throws {
        let model = try await TestModels.fixture()
        // ❌ layers_output[1] after the logits: out of order, as in the forward pass.
        await #expect(throws: TraceError.outOfOrder(requested: .layerOutput(1), passed: .logits)) {
            try await model.trace("My tailor is rich", gradients: .activations) { t in
                let logits = try await t.logits
                _ = try await t.backward(logits.sum())
                return try await t.layersOutput[1]
            }
        }
        // A gradient at a point not read before the backward names the point.
        await #expect(throws: TraceError.notReadBeforeBackward(.layerOutput(1))) {
            try await model.trace("My tailor is rich", gradients: .activations) { t in
                let logits = try await t.logits
                return try await t.backward(logits.sum()).gradient(at: .layerOutput(1))
            }
        }
        await #expect(throws: TraceError.gradientsNotRecorded) {
            try await model.trace("Hello") { t in try await t.backward(try await t.logits.sum()) }
        }
    }
}
