import Foundation
import Testing
@testable import Layers

@Suite struct AutogradLayerTests {
    @Test(arguments: [Linear.Layout.inputMajor, .outputMajor])
    func linear(layout: Linear.Layout) {
        var r = TestRandom(seed: 30)
        let x = r.tensor([2, 3, 4])
        let w = layout == .inputMajor ? r.tensor([4, 5]) : r.tensor([5, 4])
        let b = r.tensor([5])
        expectGradientsMatch([x, w, b]) { Linear(weight: $0[1], bias: $0[2], layout: layout)($0[0]) }
        expectGradientsMatch([x, w]) { Linear(weight: $0[1], bias: nil, layout: layout)($0[0]) }
        // Only the input tracked: the weight is a constant.
        expectGradientsMatch([x]) { Linear(weight: w, bias: b, layout: layout)($0[0]) }
    }

    @Test func layerNorm() {
        var r = TestRandom(seed: 31)
        let x = r.tensor([3, 6], -2, 2)
        let gamma = r.tensor([6], 0.5, 1.5), beta = r.tensor([6])
        expectGradientsMatch([x, gamma, beta]) { LayerNorm(weight: $0[1], bias: $0[2], epsilon: 1e-5)($0[0]) }
        expectGradientsMatch([x, gamma]) { LayerNorm(weight: $0[1], bias: nil, epsilon: 1e-5)($0[0]) }
        expectGradientsMatch([x]) { LayerNorm(weight: gamma, bias: beta, epsilon: 1e-5)($0[0]) }
    }

    @Test(arguments: Activation.allCases)
    func activation(_ activation: Activation) {
        var r = TestRandom(seed: 32)
        // Away from 0, where ReLU's kink would spoil the difference quotient.
        let x = r.tensor([2, 8], -3, 3).map { abs($0) < 0.05 ? $0 + 0.2 : $0 }
        expectGradientsMatch([x]) { activation($0[0]) }
        expectGradientsMatch([x]) { var y = $0[0] * 2; activation.apply(&y); return y }
    }

    @Test func embeddingAndResidual() {
        var r = TestRandom(seed: 33)
        let table = r.tensor([5, 3])
        expectGradientsMatch([table]) { Embedding(table: $0[0])([4, 1, 4, 0], shape: [2, 2]) }
        let a = r.tensor([2, 3]), b = r.tensor([2, 3])
        expectGradientsMatch([a, b]) { var y = $0[0]; y.add($0[1]); y.add($0[0]); return y }
        expectGradientsMatch([a]) { var y = b; y.add($0[0]); return y * $0[0] }
    }

    /// Recording must not change a single bit of the values.
    @Test func trackedForwardEqualsUntracked() {
        var r = TestRandom(seed: 34)
        let x = r.tensor([4, 8]), w = r.tensor([8, 16]), bias = r.tensor([16])
        let ln = LayerNorm(weight: r.tensor([8], 0.5, 1.5), bias: r.tensor([8]), epsilon: 1e-5)
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
                          mask: [Float]?, scale: Float) -> [Float] {
        let (batch, tq, tk) = (q.shape[0], q.shape[1], k.shape[1])
        let hd = q.shape[2] / heads
        var out = [Float](repeating: 0, count: q.count)
        for b in 0..<batch {
            for h in 0..<heads {
                let kvh = h / (heads / kvHeads)
                for i in 0..<tq {
                    let visible = (0...(tk - tq + i)).filter { mask?[b * tk + $0] ?? 1 != 0 }
                    let keys = visible.isEmpty ? [tk - tq + i] : visible
                    let scores = keys.map { j in
                        Double(scale) * (0..<hd).reduce(0.0) { $0 + Double(q[element: [b, i, h * hd + $1]]) * Double(k[element: [b, j, kvh * hd + $1]]) }
                    }
                    let m = scores.max() ?? 0
                    let e = scores.map { Foundation.exp($0 - m) }
                    let s = e.reduce(0, +)
                    for d in 0..<hd {
                        let value = zip(keys, e).reduce(0.0) { $0 + $1.1 / s * Double(v[element: [b, $1.0, kvh * hd + d]]) }
                        out[(b * tq + i) * heads * hd + h * hd + d] = Float(value)
                    }
                }
            }
        }
        return out
    }

    @Test func valuesMatchReference() {
        var r = TestRandom(seed: 40)
        let (q, k, v) = (r.tensor([2, 4, 12]), r.tensor([2, 4, 6]), r.tensor([2, 4, 6]))
        let mask: [Float] = [1, 1, 1, 1, 0, 0, 1, 1]
        let attention = ScaledDotProductAttention(scale: 0.5)
        let got = attention(queries: q, keys: k, values: v, heads: 4, kvHeads: 2, keyMask: mask)
        let want = Self.reference(q, k, v, heads: 4, kvHeads: 2, mask: mask, scale: 0.5)
        #expect(zip(got.scalars, want).allSatisfy { abs($0 - $1) < 1e-5 })
    }

    @Test func gradientsWithPaddingMaskAndGroupedHeads() {
        var r = TestRandom(seed: 41)
        let (q, k, v) = (r.tensor([2, 4, 12]), r.tensor([2, 4, 6]), r.tensor([2, 4, 6]))
        let attention = ScaledDotProductAttention(scale: 1 / Float(3).squareRoot())
        let mask: [Float] = [1, 1, 1, 1, 0, 0, 1, 1]
        expectGradientsMatch([q, k, v]) { attention(queries: $0[0], keys: $0[1], values: $0[2], heads: 4, kvHeads: 2, keyMask: mask) }
        expectGradientsMatch([q, k, v]) { attention(queries: $0[0], keys: $0[1], values: $0[2], heads: 4, kvHeads: 2) }
        // Only the values tracked; keys after the queries (a cached prefix).
        let (q2, k2, v2) = (r.tensor([1, 2, 6]), r.tensor([1, 5, 3]), r.tensor([1, 5, 3]))
        expectGradientsMatch([q2, k2, v2]) { attention(queries: $0[0], keys: $0[1], values: $0[2], heads: 2, kvHeads: 1) }
        expectGradientsMatch([v2]) { attention(queries: q2, keys: k2, values: $0[0], heads: 2, kvHeads: 1) }
    }

    @Test func gradientsOfSlicedFusedProjection() {
        // GPT-2's way: one [batch, seq, 3·D] projection sliced into q, k and v.
        var r = TestRandom(seed: 42)
        let qkv = r.tensor([1, 3, 12])
        let attention = ScaledDotProductAttention(scale: 0.5)
        expectGradientsMatch([qkv]) {
            attention(queries: $0[0].slice(axis: 2, range: 0..<4), keys: $0[0].slice(axis: 2, range: 4..<8),
                      values: $0[0].slice(axis: 2, range: 8..<12), heads: 2)
        }
    }
}
