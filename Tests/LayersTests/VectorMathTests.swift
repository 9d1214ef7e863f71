import Foundation
import Testing
@testable import SwiftSightLayers

@Suite struct VectorMathTests {
    /// Inputs across the range the layers see, including both tails.
    static let samples: [Float] = stride(from: -30.0, through: 30.0, by: 0.0137).map { Float($0) }

    func worstError(_ got: [Float], _ reference: (Double) -> Double, relative: Bool = false) -> Double {
        zip(Self.samples, got).map { x, y in
            let want = reference(Double(x))
            let err = abs(Double(y) - want)
            return relative ? err / max(abs(want), 1e-30) : err
        }.max() ?? .infinity
    }

    @Test func expIsAccurate() {
        #expect(worstError(VectorMath.exp(Self.samples), Foundation.exp, relative: true) <= 3e-7)
    }

    @Test func expTails() {
        let r = VectorMath.exp([-.infinity, -100, 100, .infinity, 0])
        #expect(r == [0, 0, .infinity, .infinity, 1])
    }

    @Test func tanhIsAccurate() {
        #expect(worstError(VectorMath.tanh(Self.samples), Foundation.tanh) <= 3e-7)
    }

    @Test func erfIsAccurate() {
        #expect(worstError(VectorMath.erf(Self.samples), Foundation.erf) <= 3e-7)
    }

    @Test func activationsMatchTheirFormulas() throws {
        let xs = Self.samples.map { $0 / 3 }
        func applied(_ a: Activation) throws -> [Float] {
            var t = try Tensor(shape: [xs.count], values: xs)
            a.apply(&t)
            return t.scalars
        }
        let formulas: [(Activation, (Double) -> Double)] = [
            (.geluNew, { 0.5 * $0 * (1 + Foundation.tanh(0.7978845608028654 * ($0 + 0.044715 * $0 * $0 * $0))) }),
            (.gelu, { 0.5 * $0 * (1 + Foundation.erf($0 / 2.0.squareRoot())) }),
            (.silu, { $0 / (1 + Foundation.exp(-$0)) }),
            (.relu, { max($0, 0) }),
        ]
        for (activation, formula) in formulas {
            let got = try applied(activation)
            let worst = zip(xs, got).map { abs(Double($1) - formula(Double($0))) }.max() ?? .infinity
            #expect(worst < 2e-6, "\(activation) worst error \(worst)")
        }
    }
}
