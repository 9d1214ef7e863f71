import SwiftSightCKernels
import Foundation

/// The index of each row's largest product entry, exact, reading most of W at half the bytes.
///
/// A greedy generation step needs only the argmax of each sequence's logits, and the head is the
/// largest weight of a step (154 MB of GPT-2-small's 494 MB in Float32). This screens every
/// column with a bfloat16 copy of W, bounds how far each screened value can be from the Float32
/// one, and recomputes in Float32, exactly as ``PackedWeights/multiply(rows:a:lda:bias:c:ldc:)``
/// would, only the columns whose bound reaches the best lower bound. The answer is the argmax
/// of the Float32 product, ties to the first index: no token changes.
///
/// The bound, for column j and row a: |L − A| ≤ (u + 3γ)(|b_j| + ‖a‖·‖W_j‖), with u = 2⁻⁸ the
/// bfloat16 rounding of each weight and γ = (k+1)·2⁻²⁴ / (1 − (k+1)·2⁻²⁴) the Float32 rounding
/// of either chain of fused multiply-adds (Higham's γ bound), by Cauchy–Schwarz; 1 % of slack
/// covers the rounding of the norms themselves, and √k‖a‖·2⁻¹³³ the absolute rounding of
/// subnormal weights.
struct ArgmaxScreen: Sendable {
    /// W rounded to bfloat16, packed like the original.
    let rounded: PackedWeights
    /// ‖W_j‖₂ per output column, rounded up.
    let columnNorms: [Float]

    /// The screen of a Float32 packed copy; nil when W holds a non-finite value (the bound
    /// would mean nothing).
    init?(_ packed: PackedWeights) {
        let (k, n, width) = (packed.inputSize, packed.outputSize, PackedWeights.panelWidth)
        let w = packed.storage.assumingMemoryBound(to: Float.self)
        // Panel by panel along memory: column j is lane j % width of panel j / width.
        var sums = [Double](repeating: 0, count: n)
        for j0 in stride(from: 0, to: n, by: width) {
            let panel = w + j0 * k
            for p in 0..<k {
                for c in 0..<Swift.min(width, n - j0) { sums[j0 + c] += Double(panel[p * width + c]) * Double(panel[p * width + c]) }
            }
        }
        guard sums.allSatisfy(\.isFinite) else { return nil }
        columnNorms = sums.map { Float($0.squareRoot() * (1 + 1e-6)).nextUp }
        rounded = PackedWeights(roundingToBFloat16: packed)
    }
}

extension PackedWeights {
    /// For each of the `m` rows of `a` (leading dimension `lda`), the index of the largest entry
    /// of that row's product a·W (+ `bias`): the first such index, exactly as taking the argmax of
    /// ``multiply(rows:a:lda:bias:c:ldc:)``'s output would give it. The first call rounds this
    /// copy to a bfloat16 screening copy and keeps it (half this copy's memory). Float32 copies
    /// on CPUs with the vector kernel only; otherwise every column is computed.
    ///
    /// Complexity: O(m·k·n) reading n·k bfloat16 weights, plus O(k) per candidate column (a
    /// handful when the top logits are apart; all columns when a row is not finite).
    package func argmaxOfRows(rows m: Int, a: UnsafePointer<Float>, lda: Int, bias: UnsafePointer<Float>?) -> [Int] {
        let (k, n) = (inputSize, outputSize)
        guard m > 0 else { return [] }
        guard precision == .float32, PackedWeights.hasVectorKernel, let screen else {
            return fullArgmax(rows: m, a: a, lda: lda, bias: bias)
        }
        var approximate = [Float](repeating: 0, count: m * n)
        approximate.withUnsafeMutableBufferPointer { screen.rounded.multiply(rows: m, a: a, lda: lda, bias: bias, c: $0.baseAddress!, ldc: n) }
        let gamma = Double(k + 1) * 0x1p-24 / (1 - Double(k + 1) * 0x1p-24)
        let factor = (0x1p-8 + 3 * gamma) * 1.01
        var result: [Int] = []
        for i in 0..<m {
            let row = a + i * lda
            let norm = (0..<k).reduce(0.0) { $0 + Double(row[$1]) * Double(row[$1]) }.squareRoot()
            // A subnormal weight's rounding error is absolute, at most 2⁻¹³⁴: Σ|a| ≤ √k‖a‖ of it.
            let subnormal = norm * Double(k).squareRoot() * 0x1p-133
            let chosen: Int? = approximate.withUnsafeBufferPointer { all in
                screen.columnNorms.withUnsafeBufferPointer { norms in
                    let screened = all.baseAddress! + i * n
                    func bound(_ j: Int) -> Double {
                        factor * (Double(bias.map { abs($0[j]) } ?? 0) + norm * Double(norms[j])) + subnormal
                    }
                    // Two passes, no allocation: the best lower bound, then the columns reaching it.
                    var lowest = -Double.infinity
                    for j in 0..<n {
                        guard screened[j].isFinite else { return nil }
                        lowest = Swift.max(lowest, Double(screened[j]) - bound(j))
                    }
                    guard norm.isFinite, lowest.isFinite else { return nil }
                    var best: (index: Int, value: Float)?
                    for j in 0..<n where Double(screened[j]) + bound(j) >= lowest {
                        let exact = ss_gemm_packed_column_f32(k, row, storage.assumingMemoryBound(to: Float.self), j, bias?[j] ?? 0)
                        // Ascending j and a strict comparison: the first index wins ties, as torch.argmax.
                        if let b = best, !(exact > b.value) { continue }
                        best = (j, exact)
                    }
                    return best?.index
                }
            }
            result.append(chosen ?? fullArgmax(rows: 1, a: row, lda: lda, bias: bias)[0])
        }
        return result
    }

    /// The argmax of every row of the full Float32 product.
    private func fullArgmax(rows m: Int, a: UnsafePointer<Float>, lda: Int, bias: UnsafePointer<Float>?) -> [Int] {
        let n = outputSize
        var c = [Float](repeating: 0, count: m * n)
        c.withUnsafeMutableBufferPointer { multiply(rows: m, a: a, lda: lda, bias: bias, c: $0.baseAddress!, ldc: n) }
        return c.withUnsafeBufferPointer { $0.firstIndicesOfMaximum(rowWidth: n) }
    }
}
