import Foundation
import Testing
@_spi(Testing) @testable import SwiftSightLayers

/// Gemma's pieces in the layers: attention scores soft-capped (c·tanh(s/c) before the mask) in
/// the fused kernel, the split probabilities and both pullbacks; `Tensor.softcapped`; the
/// RMSNorm that scales by 1 + w. Values by their formulas, gradients by finite differences.
@Suite struct SoftcapAndOffsetNormTests {
    /// softmax(cap(q·kᵀ·scale) + causal + padding mask)·v in Double, loop by loop.
    static func reference(_ q: Tensor, _ k: Tensor, _ v: Tensor, heads: Int, kvHeads: Int, mask: [Float]?,
                          scale: Double, cap: Double) -> [Float] {
        let (batch, tq, tk) = (q.shape[0], q.shape[1], k.shape[1])
        let hd = q.shape[2] / heads
        let (qs, ks, vs) = (q.scalars, k.scalars, v.scalars)
        var out = [Float](repeating: 0, count: q.count)
        for b in 0..<batch {
            for h in 0..<heads {
                let kvh = h / (heads / kvHeads)
                for i in 0..<tq {
                    // A padding row with no visible key attends to itself, as the kernel does.
                    let real = (0...(tk - tq + i)).filter { mask?[b * tk + $0] != 0 }
                    let visible = real.isEmpty ? [tk - tq + i] : real
                    let scores = visible.map { j in
                        let dot = (0..<hd).reduce(0.0) {
                            $0 + Double(qs[(b * tq + i) * heads * hd + h * hd + $1]) * Double(ks[(b * tk + j) * kvHeads * hd + kvh * hd + $1])
                        }
                        return cap * Foundation.tanh(dot * scale / cap)
                    }
                    let top = scores.max() ?? 0
                    let weights = scores.map { Foundation.exp($0 - top) }
                    let total = weights.reduce(0, +)
                    for d in 0..<hd {
                        let value = zip(visible, weights).reduce(0.0) {
                            $0 + $1.1 / total * Double(vs[(b * tk + $1.0) * kvHeads * hd + kvh * hd + d])
                        }
                        out[(b * tq + i) * heads * hd + h * hd + d] = Float(value)
                    }
                }
            }
        }
        return out
    }

    @Test func softcappedAttentionMatchesTheFormula() throws {
        var r = TestRandom(seed: 61)
        let (q, k, v) = (try r.tensor([2, 4, 12], -2, 2), try r.tensor([2, 4, 6], -2, 2), try r.tensor([2, 4, 6]))
        let mask: [Float] = [1, 1, 1, 1, 0, 0, 1, 1]
        let attention = ScaledDotProductAttention(scale: 0.5, softcap: 0.7)
        let got = attention(queries: q, keys: k, values: v, heads: 4, kvHeads: 2, keyMask: mask)
        let want = Self.reference(q, k, v, heads: 4, kvHeads: 2, mask: mask, scale: 0.5, cap: 0.7)
        #expect(zip(got.scalars, want).allSatisfy { abs($0 - $1) < 1e-5 })
        // The cap changes the result (the scores reach beyond it).
        let uncapped = ScaledDotProductAttention(scale: 0.5)(queries: q, keys: k, values: v, heads: 4, kvHeads: 2, keyMask: mask)
        #expect(try got.maxAbsDifference(uncapped) > 1e-2)
    }

    @Test func softcappedAttentionGradients() throws {
        var r = TestRandom(seed: 62)
        let (q, k, v) = (try r.tensor([2, 4, 12], -2, 2), try r.tensor([2, 4, 6], -2, 2), try r.tensor([2, 4, 6]))
        let attention = ScaledDotProductAttention(scale: 0.5, softcap: 0.7)
        let mask: [Float] = [1, 1, 1, 1, 0, 0, 1, 1]
        try expectGradientsMatch([q, k, v]) { attention(queries: $0[0], keys: $0[1], values: $0[2], heads: 4, kvHeads: 2, keyMask: mask) }
        // Keys after the queries (a cached prefix), with a window.
        let (q2, k2, v2) = (try r.tensor([1, 2, 6], -2, 2), try r.tensor([1, 5, 3], -2, 2), try r.tensor([1, 5, 3]))
        let windowed = ScaledDotProductAttention(scale: 0.6, window: 3, softcap: 0.5)
        try expectGradientsMatch([q2, k2, v2]) { windowed(queries: $0[0], keys: $0[1], values: $0[2], heads: 2, kvHeads: 1) }
    }

    @Test func softcappedProbabilitiesEqualTheFusedKernelAndDifferentiate() throws {
        var r = TestRandom(seed: 63)
        let offsets = [0, 3, 8]
        let (q, k, v) = (try r.tensor([8, 12], -2, 2), try r.tensor([8, 6], -2, 2), try r.tensor([8, 6]))
        for window in [nil, 2] as [Int?] {
            let attention = ScaledDotProductAttention(scale: 0.6, window: window, softcap: 0.8)
            let p = attention.packedProbabilities(queries: q, keys: k, heads: 4, kvHeads: 2, offsets: offsets, keyWidth: 5)
            let out = ScaledDotProductAttention.packedProduct(probabilities: p, values: v, heads: 4, kvHeads: 2, offsets: offsets)
            for s in 0..<2 {
                let rows = offsets[s]..<offsets[s + 1]
                func part(_ t: Tensor) throws -> Tensor { try t.rows(rows).reshaped([1, rows.count, t.shape[1]]) }
                let fused = attention(queries: try part(q), keys: try part(k), values: try part(v), heads: 4, kvHeads: 2)
                #expect(try out.rows(rows).maxAbsDifference(fused.reshaped([rows.count, 12])) <= 1e-6)
            }
            try expectGradientsMatch([q, k]) {
                attention.packedProbabilities(queries: $0[0], keys: $0[1], heads: 4, kvHeads: 2, offsets: offsets, keyWidth: 5)
            }
        }
    }

    @Test func softcappedTensor() throws {
        var r = TestRandom(seed: 64)
        let x = try r.tensor([3, 5], -6, 6)
        let y = x.softcapped(1.5)
        #expect(zip(y.scalars, x.scalars).allSatisfy { abs($0 - Float(1.5 * Foundation.tanh(Double($1) / 1.5))) <= 1e-6 })
        try expectGradientsMatch([x]) { $0[0].softcapped(1.5) }
    }

    @Test func offsetRMSNormScalesByOnePlusTheWeight() throws {
        var r = TestRandom(seed: 65)
        let (x, w) = (try r.tensor([4, 6]), try r.tensor([6], -0.5, 0.5))
        let onePlus = try Tensor(shape: [6], values: w.scalars.map { 1 + $0 })
        let offset = RMSNorm(weight: w, epsilon: 1e-6, weightOffset: 1)(x)
        #expect(offset.scalars == RMSNorm(weight: onePlus, epsilon: 1e-6)(x).scalars)
        try expectGradientsMatch([x, w]) { RMSNorm(weight: $0[1], epsilon: 1e-6, weightOffset: 1)($0[0]) }
    }
}
