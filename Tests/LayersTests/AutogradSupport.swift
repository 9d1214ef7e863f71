import Testing
@testable import SwiftSightLayers

/// A small deterministic generator (SplitMix64), so failures reproduce.
struct TestRandom {
    private var source: SplitMix64
    init(seed: UInt64) { source = SplitMix64(seed: seed) }
    mutating func next() -> UInt64 { source.next() }
    /// Uniform in [low, high).
    mutating func uniform(_ low: Float, _ high: Float) -> Float {
        low + (high - low) * Float(next() >> 40) / Float(1 << 24)
    }
    mutating func tensor(_ shape: [Int], _ low: Float = -1, _ high: Float = 1) throws -> Tensor {
        let n = shape.reduce(1, *)
        return try Tensor(shape: shape, values: (0..<n).map { _ in uniform(low, high) })
    }
}

/// Compares the tape's gradients of `f` at `inputs` with central finite differences.
///
/// A non-scalar output is reduced to Σ r·f with fixed random weights r, so every entry of the
/// Jacobian takes part. The loss of a perturbed input is summed in Double to keep the difference
/// quotient clean; each gradient entry must be within `absolute + relative·|numeric|`.
func expectGradientsMatch(
    _ inputs: [Tensor], eps: Float = 1e-3, relative: Double = 1e-2, absolute: Double = 1e-3,
    seed: UInt64 = 7, sourceLocation: SourceLocation = #_sourceLocation,
    _ f: ([Tensor]) throws -> Tensor
) throws {
    let probe = try f(inputs)
    var random = TestRandom(seed: seed)
    let weights = try random.tensor(probe.shape, -1, 1).scalars
    func loss(_ xs: [Tensor]) throws -> Double {
        zip(try f(xs).scalars, weights).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    }
    let tape = GradientTape()
    let watched = inputs.map { tape.watch($0) }
    let out = try f(watched)
    let scalar = try (out * Tensor(shape: out.shape, values: weights)).sum()
    let gradients: Gradients
    do { gradients = try tape.backward(scalar) } catch {
        Issue.record("backward failed: \(error)", sourceLocation: sourceLocation)
        return
    }
    for (i, x) in inputs.enumerated() {
        guard let analytic = try? gradients.gradient(of: watched[i]).scalars else {
            Issue.record("no gradient for input \(i)", sourceLocation: sourceLocation)
            continue
        }
        var failures: [String] = []
        for j in 0..<x.count {
            var plus = x, minus = x
            plus.withUnsafeMutableBuffer { $0[j] += eps }
            minus.withUnsafeMutableBuffer { $0[j] -= eps }
            var xsPlus = inputs, xsMinus = inputs
            xsPlus[i] = plus
            xsMinus[i] = minus
            // The step actually taken, after Float rounding of x ± eps.
            let step = Double(plus.scalars[j]) - Double(minus.scalars[j])
            let numeric = (try loss(xsPlus) - loss(xsMinus)) / step
            if abs(Double(analytic[j]) - numeric) > absolute + relative * abs(numeric) {
                failures.append("element \(j): analytic \(analytic[j]), numeric \(numeric)")
            }
        }
        if !failures.isEmpty {
            Issue.record("input \(i) \(x.shape): \(failures.count) of \(x.count) gradients differ; \(failures.prefix(3).joined(separator: "; "))",
                         sourceLocation: sourceLocation)
        }
    }
}
