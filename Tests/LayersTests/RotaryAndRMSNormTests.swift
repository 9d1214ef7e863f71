import Foundation
import Testing
@_spi(Testing) @testable import SwiftSightLayers

/// RMSNorm and the rotary embedding: values by their formulas, gradients by finite differences
/// (the whole-model gradients against torch autograd are in ArchitectureScenarioTests).
@Suite struct RotaryAndRMSNormTests {
    @Test func rmsNormValues() throws {
        let x = try Tensor(shape: [2, 3], values: [1, 2, 3, -4, 0, 4])
        let y = RMSNorm(weight: try Tensor(shape: [3], values: [1, 0.5, 2]), epsilon: 1e-6)(x)
        let (r0, r1) = (1 / Float((14.0 / 3 + 1e-6).squareRoot()), 1 / Float((32.0 / 3 + 1e-6).squareRoot()))
        let expected: [Float] = [r0, r0, 6 * r0, -4 * r1, 0, 8 * r1]
        for (a, b) in zip(y.scalars, expected) { #expect(abs(a - b) <= 1e-6) }
    }

    @Test func rmsNormGradients() throws {
        var r = TestRandom(seed: 40)
        let x = try r.tensor([3, 6], -2, 2), gamma = try r.tensor([6], 0.5, 1.5)
        try expectGradientsMatch([x, gamma]) { RMSNorm(weight: $0[1], epsilon: 1e-5)($0[0]) }
        try expectGradientsMatch([x]) { RMSNorm(weight: gamma, epsilon: 1e-5)($0[0]) }
    }

    /// Each pair (i, i + half) turns by position · θᵢ; features past the rotary dimension pass.
    @Test func rotaryValuesAndPartialRotation() throws {
        let rope = RotaryEmbedding(inverseFrequencies: [1, 0.5])        // 4 of 6 features per head
        var r = TestRandom(seed: 41)
        let x = try r.tensor([2, 12])
        let y = rope(x, positions: [0, 3], heads: 2)
        #expect(try y[0].maxAbsDifference(x[0]) == 0)                        // position 0: no turn
        for h in 0..<2 {
            let (v, w) = (try x[1].scalars, try y[1].scalars)
            let o = h * 6
            for (i, theta) in [Float(1), 0.5].enumerated() {
                let (c, s) = (cos(3 * theta), sin(3 * theta))
                #expect(abs(w[o + i] - (v[o + i] * c - v[o + i + 2] * s)) <= 1e-6)
                #expect(abs(w[o + i + 2] - (v[o + i + 2] * c + v[o + i] * s)) <= 1e-6)
            }
            #expect(w[o + 4] == v[o + 4] && w[o + 5] == v[o + 5])
        }
    }

    @Test func rotaryGradients() throws {
        let rope = RotaryEmbedding(rotaryDimension: 4, base: 10_000)
        var r = TestRandom(seed: 42)
        try expectGradientsMatch([r.tensor([3, 12])]) { rope($0[0], positions: [0, 5, 2], heads: 2) }
    }

    /// transformers' llama3 formula: the three frequency bands (kept, divided, interpolated).
    @Test func llama3Scaling() {
        let plain = RotaryEmbedding(rotaryDimension: 16, base: 500_000)
        let scaled = RotaryEmbedding(rotaryDimension: 16, base: 500_000,
                                     scaling: .llama3(factor: 8, lowFrequencyFactor: 1, highFrequencyFactor: 4, originalMaxPositions: 16))
        for (f, g) in zip(plain.inverseFrequencies, scaled.inverseFrequencies) {
            let wavelength = 2 * Float.pi / f
            if wavelength < 4 { #expect(g == f) } else if wavelength > 16 { #expect(abs(g - f / 8) <= 1e-6 * f) } else {
                #expect(g < f && g > f / 8)
            }
        }
        #expect(RotaryEmbedding(rotaryDimension: 8, base: 100, scaling: .linear(factor: 2)).inverseFrequencies
            == RotaryEmbedding(rotaryDimension: 8, base: 100).inverseFrequencies.map { Float(Double($0) / 2) })
    }

    /// A sliding window of w: query i sees keys i-w+1...i, with probability exactly 0 before.
    @Test func slidingWindowAttention() throws {
        var r = TestRandom(seed: 43)
        let (q, k, v) = (try r.tensor([1, 6, 4]), try r.tensor([1, 6, 4]), try r.tensor([1, 6, 4]))
        let windowed = ScaledDotProductAttention(scale: 0.5, window: 2)
        let full = ScaledDotProductAttention(scale: 0.5)
        let y = windowed(queries: q, keys: k, values: v, heads: 1)
        // Row i of the windowed output equals full attention over keys max(0, i-1)...i alone.
        for i in 0..<6 {
            let start = max(0, i - 1)
            let keys = try k.slice(axis: 1, range: start..<(i + 1)), values = try v.slice(axis: 1, range: start..<(i + 1))
            let alone = full(queries: try q.slice(axis: 1, range: i..<(i + 1)), keys: keys, values: values, heads: 1)
            #expect(try y[0][i].maxAbsDifference(alone[0][0]) <= 1e-6)
        }
        try expectGradientsMatch([q, k, v]) { windowed(queries: $0[0], keys: $0[1], values: $0[2], heads: 1) }
    }
}
