import Foundation
import SwiftSight
@_spi(Testing) import SwiftSightLayers
import Testing

/// Gradients through `attention_probabilities.i` read and replaced in traces that record
/// gradients, against torch autograd through transformers' eager attention
/// (Scripts/fixtures_attention_gradients.py, Tests/Fixtures/attention_gradients).
@Suite struct AttentionGradientTests {
    static let file = Result {
        try SafetensorsFile(url: TestModels.fixtures.appendingPathComponent("attention_gradients/attention_gradients.safetensors"))
    }
    static let layer = 1

    /// The fixture models by reference name: GPT-2, GQA 4/2 Llama, GQA 4/1 Mistral with a sliding
    /// window of 5 (the 10-token prompt is longer, so the window bites).
    static let models = ["gpt2": "tiny-gpt2", "llama": "architectures/tiny-llama", "mistral": "architectures/tiny-mistral"]

    func model(_ name: String) async throws -> StandardizedTransformer {
        try await StandardizedTransformer(.directory(TestModels.fixtures.appendingPathComponent(Self.models[name] ?? name)))
    }

    func reference(_ key: String) throws -> Tensor { try Self.file.get().tensor(key) }


    /// Uniform over keys 0...i for query i, in the shape of `p` ([batch, heads, n, n]).
    static func uniform(like p: Tensor) throws -> Tensor {
        let n = p.shape[3]
        let count = p.shape[0] * p.shape[1] * n * n
        return try Tensor(shape: p.shape, values: (0..<count).map { e in
            let (i, j) = ((e / n) % n, e % n)
            return j <= i ? 1 / Float(i + 1) : 0
        })
    }

    @Test(arguments: ["gpt2", "llama", "mistral"])
    func readProbabilitiesAreDifferentiable(_ name: String) async throws {
        let model = try await model(name)
        let ids = try Self.file.get().int64s("\(name).input_ids").map(Int.init)
        let weights = try reference("\(name).weights")
        let (p, dP, dPAtPoint, layer0, logits) = try await model.trace(tokens: ids, gradients: .activations) { t in
            let l0 = try await t.layersOutput[0]
            let p = try await t.attentionProbabilities[Self.layer]
            let logits = try await t.logits
            let g = try await t.backward((logits * weights).sum())
            return (p, try g.gradient(of: p), try g.gradient(at: .attentionProbabilities(Self.layer)), try g.gradient(of: l0), logits)
        }
        try expectClose(p, try reference("\(name).probabilities"), "\(name) probabilities")
        try expectClose(dP, try reference("\(name).read.dP"), "\(name) dL/dP")
        #expect(try dPAtPoint.maxAbsDifference(dP) == 0)
        try expectClose(layer0, try reference("\(name).read.layer0"), "\(name) dL/d layer 0 with P read")
        // The values are those of the untracked path, bit for bit.
        let (plainP, plainLogits) = try await model.trace(tokens: ids) { t in
            (try await t.attentionProbabilities[Self.layer], try await t.logits)
        }
        #expect(try p.maxAbsDifference(plainP) == 0, "\(name) probabilities")
        #expect(try logits.maxAbsDifference(plainLogits) == 0, "\(name) logits")
        if name == "mistral" {
            // Outside the sliding window (keys 0..<5 of query 9): probability and gradient flow exactly 0.
            for h in 0..<p.shape[1] { for j in 0..<5 { #expect(try p[element: [0, h, 9, j]] == 0) } }
        }
    }

    @Test(arguments: ["gpt2", "llama", "mistral"])
    func replacedProbabilitiesCarryGradientsThroughValuesAndTheReplacement(_ name: String) async throws {
        let model = try await model(name)
        let ids = try Self.file.get().int64s("\(name).input_ids").map(Int.init)
        let weights = try reference("\(name).weights")
        // A constant replacement: only V carries the gradient into the layer.
        let (logits, layer0) = try await model.trace(tokens: ids, gradients: .activations) { t in
            let l0 = try await t.layersOutput[0]
            try await t.attentionProbabilities.edit(Self.layer) { p in p = try Self.uniform(like: p) }
            let logits = try await t.logits
            return (logits, try await t.backward((logits * weights).sum()).gradient(of: l0))
        }
        try expectClose(logits, try reference("\(name).replaced.logits"), "\(name) logits with P replaced")
        try expectClose(layer0, try reference("\(name).replaced.layer0"), "\(name) dL/d layer 0 with P replaced")
        // A replacement built from the tracked probabilities: gradients flow through it to Q and K.
        let mixed = try await model.trace(tokens: ids, gradients: .activations) { t in
            let l0 = try await t.layersOutput[0]
            try await t.attentionProbabilities.edit(Self.layer) { p in p = try p * 0.5 + Self.uniform(like: p) * 0.5 }
            let logits = try await t.logits
            return try await t.backward((logits * weights).sum()).gradient(of: l0)
        }
        try expectClose(mixed, try reference("\(name).mixed.layer0"), "\(name) dL/d layer 0 with P mixed")
        #expect(try mixed.maxAbsDifference(layer0) > 1e-3)
    }

    @Test func leftPaddedBatchGetsZeroAtPadding() async throws {
        let model = try await TestModels.fixture()
        let file = try Self.file.get()
        let mask = try file.int64s("gpt2.batch.attention_mask").map(Float.init)          // [2, 4]
        let raw = try reference("gpt2.batch.weights")                                    // [2, 4, vocab]
        let vocab = raw.shape[2]
        let weights = try raw * Tensor(shape: raw.shape, values: mask.flatMap { Array(repeating: $0, count: vocab) })
        let (dP, layer0) = try await model.trace(["My tailor is rich", "Hello world"], gradients: .activations) { t in
            let l0 = try await t.layersOutput[0]
            let p = try await t.attentionProbabilities[Self.layer]
            let logits = try await t.logits
            let g = try await t.backward((logits * weights).sum())
            return (try g.gradient(of: p), try g.gradient(of: l0))
        }
        try expectClose(dP, try reference("gpt2.batch.read.dP"), "batch dL/dP")
        try expectClose(layer0, try reference("gpt2.batch.read.layer0"), "batch dL/d layer 0")
        // The second prompt's padded query rows and keys: exactly 0.
        for h in 0..<dP.shape[1] {
            for i in 0..<4 { for j in 0..<2 { #expect(try dP[element: [1, h, i, j]] == 0 && dP[element: [1, h, j, i]] == 0) } }
        }
    }

    @Test func eachInvokeGetsTheGradientOfItsOwnProbabilities() async throws {
        let model = try await TestModels.fixture()
        let raw = try reference("gpt2.batch.weights")                                    // [2, 4, vocab], row 1 left-padded by 2
        let weights = [try raw.rows(0..<1), try raw[1].rows(2..<4).reshaped([1, 2, raw.shape[2]])]
        let prompts = ["My tailor is rich", "Hello world"]
        let grads = try await model.trace(invokes: prompts.indices.map { k in
            Invoke(prompts[k]) { t in
                let p = try await t.attentionProbabilities[Self.layer]
                let logits = try await t.logits
                return try await t.backward((logits * weights[k]).sum(), retainGraph: true).gradient(of: p)
            }
        }, gradients: .activations)
        let reference = try reference("gpt2.batch.read.dP")                             // [2, heads, 4, 4]
        try expectClose(grads[0], try reference.rows(0..<1), "invoke 0")
        let heads = reference.shape[1]
        let second = try Tensor(shape: [1, heads, 2, 2], values: (0..<(heads * 4)).map { e in
            try reference[element: [1, e / 4, 2 + (e / 2) % 2, 2 + e % 2]]
        })
        try expectClose(grads[1], second, "invoke 1")
    }
}
