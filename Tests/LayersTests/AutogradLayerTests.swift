import Foundation
import Testing
@testable import SwiftSightLayers

@Suite struct AutogradLayerTests {
    @Test(arguments: [Linear.Layout.inputMajor, .outputMajor])
    func linear(layout: Linear.Layout) throws {
        var r = TestRandom(seed: 30)
        let x = try r.tensor([2, 3, 4])
        let w = layout == .inputMajor ? try r.tensor([4, 5]) : try r.tensor([5, 4])
        let b = try r.tensor([5])
        try expectGradientsMatch([x, w, b]) { Linear(weight: $0[1], bias: $0[2], layout: layout)($0[0]) }
        try expectGradientsMatch([x, w]) { Linear(weight: $0[1], bias: nil, layout: layout)($0[0]) }
        // Only the input tracked: the weight is a constant.
        try expectGradientsMatch([x]) { Linear(weight: w, bias: b, layout: layout)($0[0]) }
    }

    @Test func layerNorm() throws {
        var r = TestRandom(seed: 31)
        let x = try r.tensor([3, 6], -2, 2)
        let gamma = try r.tensor([6], 0.5, 1.5), beta = try r.tensor([6])
        try expectGradientsMatch([x, gamma, beta]) { LayerNorm(weight: $0[1], bias: $0[2], epsilon: 1e-5)($0[0]) }
        try expectGradientsMatch([x, gamma]) { LayerNorm(weight: $0[1], bias: nil, epsilon: 1e-5)($0[0]) }
        try expectGradientsMatch([x]) { LayerNorm(weight: gamma, bias: beta, epsilon: 1e-5)($0[0]) }
    }

    @Test(arguments: Activation.allCases)
    func activation(_ activation: Activation) throws {
        var r = TestRandom(seed: 32)
        // Away from 0, where ReLU's kink would spoil the difference quotient.
        let x = try r.tensor([2, 8], -3, 3).map { abs($0) < 0.05 ? $0 + 0.2 : $0 }
        try expectGradientsMatch([x]) { activation($0[0]) }
        try expectGradientsMatch([x]) { var y = $0[0] * 2; activation.apply(&y); return y }
    }

    @Test func embeddingAndResidual() throws {
        var r = TestRandom(seed: 33)
        let table = try r.tensor([5, 3])
        try expectGradientsMatch([table]) { Embedding(table: $0[0])([4, 1, 4, 0], shape: [2, 2]) }
        let a = try r.tensor([2, 3]), b = try r.tensor([2, 3])
        try expectGradientsMatch([a, b]) { var y = $0[0]; try y.add($0[1]); try y.add($0[0]); return y }
        try expectGradientsMatch([a]) { var y = b; try y.add($0[0]); return try y * $0[0] }
    }

    /// Recording must not change a single bit of the values.
    @Test func trackedForwardEqualsUntracked() throws {
        var r = TestRandom(seed: 34)
        let x = try r.tensor([4, 8]), w = try r.tensor([8, 16]), bias = try r.tensor([16])
        let ln = LayerNorm(weight: try r.tensor([8], 0.5, 1.5), bias: try r.tensor([8]), epsilon: 1e-5)
        func forward(_ x: Tensor, _ w: Tensor) -> Tensor {
            var h = Linear(weight: w, bias: bias, layout: .inputMajor)(ln(x))
            Activation.geluNew.apply(&h)
            return Softmax.apply(h)
        }
        let tape = GradientTape()
        let tracked = forward(tape.watch(x), tape.watch(w))
        #expect(tracked.isTracked)
        #expect(tracked.scalars == forward(x, w).scalars)
    }
}

@Suite struct AutogradAttentionTests {
    /// softmax(q·kᵀ·scale + causal + padding mask)·v in Double, loop by loop.
    static func reference(_ q: Tensor, _ k: Tensor, _ v: Tensor, heads: Int, kvHeads: Int,
                          mask: [Float]?, scale: Float) throws -> [Float] {
        let (batch, tq, tk) = (q.shape[0], q.shape[1], k.shape[1])
        let hd = q.shape[2] / heads
        var out = [Float](repeating: 0, count: q.count)
        for b in 0..<batch {
            for h in 0..<heads {
                let kvh = h / (heads / kvHeads)
                for i in 0..<tq {
                    let visible = (0...(tk - tq + i)).filter { mask?[b * tk + $0] ?? 1 != 0 }
                    let keys = visible.isEmpty ? [tk - tq + i] : visible
                    let scores = try keys.map { j in
                        try Double(scale) * (0..<hd).reduce(0.0) { try $0 + Double(q[element: [b, i, h * hd + $1]]) * Double(k[element: [b, j, kvh * hd + $1]]) }
                    }
                    let m = scores.max() ?? 0
                    let e = scores.map { Foundation.exp($0 - m) }
                    let s = e.reduce(0, +)
                    for d in 0..<hd {
                        let value = try zip(keys, e).reduce(0.0) { $0 + $1.1 / s * Double(try v[element: [b, $1.0, kvh * hd + d]]) }
                        out[(b * tq + i) * heads * hd + h * hd + d] = Float(value)
                    }
                }
            }
        }
        return out
    }

    @Test func valuesMatchReference() throws {
        var r = TestRandom(seed: 40)
        let (q, k, v) = (try r.tensor([2, 4, 12]), try r.tensor([2, 4, 6]), try r.tensor([2, 4, 6]))
        let mask: [Float] = [1, 1, 1, 1, 0, 0, 1, 1]
        let attention = ScaledDotProductAttention(scale: 0.5)
        let got = attention(queries: q, keys: k, values: v, heads: 4, kvHeads: 2, keyMask: mask)
        let want = try Self.reference(q, k, v, heads: 4, kvHeads: 2, mask: mask, scale: 0.5)
        #expect(zip(got.scalars, want).allSatisfy { abs($0 - $1) < 1e-5 })
    }

    @Test func gradientsWithPaddingMaskAndGroupedHeads() throws {
        var r = TestRandom(seed: 41)
        let (q, k, v) = (try r.tensor([2, 4, 12]), try r.tensor([2, 4, 6]), try r.tensor([2, 4, 6]))
        let attention = ScaledDotProductAttention(scale: 1 / Float(3).squareRoot())
        let mask: [Float] = [1, 1, 1, 1, 0, 0, 1, 1]
        try expectGradientsMatch([q, k, v]) { attention(queries: $0[0], keys: $0[1], values: $0[2], heads: 4, kvHeads: 2, keyMask: mask) }
        try expectGradientsMatch([q, k, v]) { attention(queries: $0[0], keys: $0[1], values: $0[2], heads: 4, kvHeads: 2) }
        // Only the values tracked; keys after the queries (a cached prefix).
        let (q2, k2, v2) = (try r.tensor([1, 2, 6]), try r.tensor([1, 5, 3]), try r.tensor([1, 5, 3]))
        try expectGradientsMatch([q2, k2, v2]) { attention(queries: $0[0], keys: $0[1], values: $0[2], heads: 2, kvHeads: 1) }
        try expectGradientsMatch([v2]) { attention(queries: q2, keys: k2, values: $0[0], heads: 2, kvHeads: 1) }
    }

    @Test func gradientsOfSlicedFusedProjection() throws {
        // GPT-2's way: one [batch, seq, 3·D] projection sliced into q, k and v.
        var r = TestRandom(seed: 42)
        let qkv = try r.tensor([1, 3, 12])
        let attention = ScaledDotProductAttention(scale: 0.5)
        try expectGradientsMatch([qkv]) {
            attention(queries: try $0[0].slice(axis: 2, range: 0..<4), keys: try $0[0].slice(axis: 2, range: 4..<8),
                      values: try $0[0].slice(axis: 2, range: 8..<12), heads: 2)
        }
    }
}
