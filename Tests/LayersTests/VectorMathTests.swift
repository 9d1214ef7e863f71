import Foundation
import Testing
@testable import Layers

@Suite struct VectorMathTests {
    /// Inputs across the range the layers see, including both tails.
    static let samples: [Float] = stride(from: -30.0, through: 30.0, by: 0.0137).map { Float($0) }

    func check(_ f: (VectorMath.Lanes) -> VectorMath.Lanes, against reference: (Double) -> Double,
               tolerance: Double, relative: Bool = false) {
        var worst = 0.0
        var x = 0
        while x < Self.samples.count {
            var v = VectorMath.Lanes()
            for j in 0..<16 { v[j] = Self.samples[min(x + j, Self.samples.count - 1)] }
            let r = f(v)
            for j in 0..<16 {
                let want = reference(Double(v[j]))
                var err = abs(Double(r[j]) - want)
                if relative { err /= max(abs(want), 1e-30) }
                worst = max(worst, err)
            }
            x += 16
        }
        #expect(worst <= tolerance, "worst error \(worst)")
    }

    @Test func expIsAccurate() {
        check(VectorMath.exp, against: Foundation.exp, tolerance: 3e-7, relative: true)
    }

    @Test func expTails() {
        let r = VectorMath.exp(VectorMath.Lanes(repeating: -.infinity))
        #expect(r[0] == 0)
        #expect(VectorMath.exp(VectorMath.Lanes(repeating: 100))[0] == .infinity)
    }

    @Test func tanhIsAccurate() {
        check(VectorMath.tanh, against: Foundation.tanh, tolerance: 3e-7)
    }

    @Test func erfIsAccurate() {
        check(VectorMath.erf, against: Foundation.erf, tolerance: 3e-7)
    }

    @Test func geluVariantsMatchTheirFormulas() {
        let xs = Self.samples.prefix(1000).map { $0 / 3 }
        var t = Tensor(shape: [xs.count], values: Array(xs))
        var e = t
        Activation.geluNew.apply(&t)
        Activation.gelu.apply(&e)
        for (i, x) in xs.enumerated() {
            let d = Double(x)
            let new = 0.5 * d * (1 + Foundation.tanh(0.7978845608028654 * (d + 0.044715 * d * d * d)))
            let exact = 0.5 * d * (1 + Foundation.erf(d / 2.0.squareRoot()))
            #expect(abs(Double(t.scalars[i]) - new) < 1e-6)
            #expect(abs(Double(e.scalars[i]) - exact) < 1e-6)
        }
    }
}
