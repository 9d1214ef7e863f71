import Foundation
import Testing
@testable import SwiftSightLayers

/// The packed-weight kernel (``PackedWeights``, `CKernels/gemm.c`) against products summed in
/// Double, over shapes that hit every edge: partial row blocks (m not a multiple of 8), partial
/// panels (n not a multiple of 48), one row, both weight layouts, with and without bias.
@Suite struct PackedLinearTests {
    static let shapes: [(m: Int, k: Int, n: Int)] = [
        (1, 5, 1), (1, 64, 48), (1, 40, 200), (1, 9, 384), (3, 37, 49), (8, 16, 97), (9, 70, 47), (17, 33, 144),
        (130, 24, 50),
    ]

    /// x·W + b in Double, W read through `layout` and optionally rounded like torch's `.to(bfloat16)`.
    static func reference(_ x: Tensor, _ w: Tensor, _ b: Tensor?, layout: Linear.Layout, bf16: Bool) -> [Double] {
        let (m, k) = (x.shape[0], x.shape[1])
        let n = layout == .inputMajor ? w.shape[1] : w.shape[0]
        let xs = x.scalars, ws = w.scalars, bs = b?.scalars
        func weight(_ p: Int, _ j: Int) -> Double {
            let v = layout == .inputMajor ? ws[p * n + j] : ws[j * k + p]
            return Double(bf16 ? roundedToBFloat16(v) : v)
        }
        var out = [Double](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var s = bs.map { Double($0[j]) } ?? 0
                for p in 0..<k { s += Double(xs[i * k + p]) * weight(p, j) }
                out[i * n + j] = s
            }
        }
        return out
    }

    /// Round to nearest, ties to even, on the bit pattern: what torch does (NaN aside).
    static func roundedToBFloat16(_ v: Float) -> Float {
        let bits = v.bitPattern
        let lsb = (bits >> 16) & 1
        return Float(bitPattern: (bits &+ 0x7FFF &+ lsb) & 0xFFFF_0000)
    }

    static func maxError(_ y: Tensor, _ expected: [Double]) -> Double {
        zip(y.scalars, expected).map { abs(Double($0) - $1) }.max() ?? 0
    }

    @Test(arguments: [Linear.Layout.inputMajor, .outputMajor], [false, true])
    func float32MatchesDoubleReference(layout: Linear.Layout, withBias: Bool) throws {
        var r = TestRandom(seed: 90)
        for (m, k, n) in Self.shapes {
            let x = try r.tensor([m, k])
            let w = layout == .inputMajor ? try r.tensor([k, n]) : try r.tensor([n, k])
            let b = withBias ? try r.tensor([n]) : nil
            let layer = Linear(weight: w, bias: b, layout: layout)
            let packed = layer.packed(.float32)
            if PackedWeights.hasVectorKernel { #expect(packed.packedWeights?.precision == .float32) }
            let y = packed(x)
            #expect(y.shape == [m, n])
            let error = Self.maxError(y, Self.reference(x, w, b, layout: layout, bf16: false))
            #expect(error <= 1e-5 * Double(k), "m \(m) k \(k) n \(n): error \(error)")
        }
    }

    @Test(arguments: [Linear.Layout.inputMajor, .outputMajor])
    func bfloat16RoundsWeightsOnly(layout: Linear.Layout) throws {
        var r = TestRandom(seed: 91)
        for (m, k, n) in Self.shapes {
            let x = try r.tensor([m, k])
            let w = layout == .inputMajor ? try r.tensor([k, n]) : try r.tensor([n, k])
            let b = try r.tensor([n])
            let y = Linear(weight: w, bias: b, layout: layout).packed(.bfloat16)(x)
            let rounded = Self.reference(x, w, b, layout: layout, bf16: true)
            let exact = Self.reference(x, w, b, layout: layout, bf16: false)
            // Equal to the product with rounded weights up to Float32 summation ...
            #expect(Self.maxError(y, rounded) <= 1e-5 * Double(k), "m \(m) k \(k) n \(n)")
            // ... which really differs from the unrounded one (relative weight error up to 2^-8).
            if k >= 16 { #expect(Self.maxError(y, exact) > 1e-4, "m \(m) k \(k) n \(n): BF16 rounding had no effect") }
        }
    }

    @Test func bfloat16RoundingMatchesTorchOnTies() {
        // 1 + 2^-8 is halfway between bf16 neighbours 1 and 1 + 2^-7: ties go to the even one (1).
        let values: [Float] = [1 + 0x1p-8, 1 + 3 * 0x1p-8, -2.5, 0, .infinity, 3.0e38]
        let expected: [Float] = [1, 1 + 0x1p-6, -2.5, 0, .infinity, Self.roundedToBFloat16(3.0e38)]
        for (v, e) in zip(values, expected) {
            let bits = ss_float_to_bf16_bits(v)
            #expect(Float(bitPattern: UInt32(bits) << 16) == e, "\(v)")
        }
        #expect(Float(bitPattern: UInt32(ss_float_to_bf16_bits(.nan)) << 16).isNaN)
    }

    @Test func emptyBatchGivesEmptyOutput() throws {
        var r = TestRandom(seed: 92)
        let layer = Linear(weight: try r.tensor([4, 6]), bias: try r.tensor([6]), layout: .inputMajor).packed(.bfloat16)
        #expect(try layer(Tensor(shape: [0, 4], values: [])).shape == [0, 6])
    }

    /// The recorded path gives the untracked values bit for bit, and its gradients are right.
    @Test(arguments: [Linear.Layout.inputMajor, .outputMajor])
    func recordedForwardEqualsUntrackedAndDifferentiates(layout: Linear.Layout) throws {
        var r = TestRandom(seed: 93)
        let x = try r.tensor([5, 12])
        let w = layout == .inputMajor ? try r.tensor([12, 50]) : try r.tensor([50, 12])
        let b = try r.tensor([50])
        let layer = Linear(weight: w, bias: b, layout: layout).packed(.float32)
        let tape = GradientTape()
        let tracked = layer(tape.watch(x))
        #expect(tracked.isTracked)
        #expect(tracked.detached().scalars == layer(x).scalars)
        try expectGradientsMatch([x]) { layer($0[0]) }
        // Watched parameters (same values) keep the packed copy and get their gradients.
        let watched = layer.withParameters(weight: tape.watch(w), bias: tape.watch(b))
        #expect(watched.packedWeights === layer.packedWeights)
        let y = watched(x)
        #expect(y.detached().scalars == layer(x).scalars)
        let grads = try tape.backward(y.sum())
        #expect(try grads.gradient(of: watched.weight).shape == w.shape)
    }

    /// dX = G·Wᵀ runs on Wᵀ packed from the original: equal to the sum in Double over the
    /// Float32 weights, for every edge shape, also when the forward copy is BF16.
    @Test(arguments: [Linear.Layout.inputMajor, .outputMajor], [WeightPrecision.float32, .bfloat16])
    func inputGradientOnTransposedCopy(layout: Linear.Layout, precision: WeightPrecision) throws {
        var r = TestRandom(seed: 94)
        for (m, k, n) in Self.shapes {
            let x = try r.tensor([m, k]), g = try r.tensor([m, n])
            let w = layout == .inputMajor ? try r.tensor([k, n]) : try r.tensor([n, k])
            let layer = Linear(weight: w, bias: nil, layout: layout).packed(precision)
            let tape = GradientTape()
            let input = tape.watch(x)
            let y = layer(input)
            let dx = try tape.backward((y * g).sum()).gradient(of: input)
            // G·Wᵀ in Double: dx[i, p] = Σ_j g[i, j]·W[p, j].
            let (gs, ws) = (g.scalars, w.scalars)
            var expected = [Double](repeating: 0, count: m * k)
            for i in 0..<m {
                for p in 0..<k {
                    var s = 0.0
                    for j in 0..<n { s += Double(gs[i * n + j]) * Double(layout == .inputMajor ? ws[p * n + j] : ws[j * k + p]) }
                    expected[i * k + p] = s
                }
            }
            let error = Self.maxError(dx, expected)
            #expect(error <= 1e-5 * Double(n), "m \(m) k \(k) n \(n): error \(error)")
            if let packed = layer.packedWeights, PackedWeights.hasVectorKernel {
                // Made once, kept: a second backward reuses it.
                #expect(packed.transposed(from: w) === packed.transposed(from: w))
                #expect(packed.transposed(from: w).precision == .float32)
            }
        }
    }
}

private func ss_float_to_bf16_bits(_ v: Float) -> UInt16 { PackedWeights.bfloat16Bits(v) }
