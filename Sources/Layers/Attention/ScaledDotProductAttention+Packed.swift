import Foundation

/// Attention probabilities packed [rows, heads, keyWidth] (query row i of a sequence holds its
/// keys from 0, zeros or ignored values after them) and the pieces of math on them that the
/// forward passes and the pullbacks share.
extension ScaledDotProductAttention {
    /// Copies one sequence's kernel probabilities ([heads, rows, keys]) into packed
    /// [all rows, heads, keyWidth] probabilities at `row`. O(heads · rows · keys).
    package static func pack(_ scratch: UnsafePointer<Float>, keys: Int, into packed: UnsafeMutablePointer<Float>,
                            row: Int, rows: Int, heads: Int, keyWidth: Int) {
        for h in 0..<heads {
            for i in 0..<rows {
                (packed + ((row + i) * heads + h) * keyWidth).update(from: scratch + (h * rows + i) * keys, count: keys)
            }
        }
    }

    /// P·V per sequence and head from packed [rows, heads, keyWidth] probabilities `p`, into
    /// `output` ([rows, heads · headDim], row-major): sequence s's query rows are
    /// `offsets[s]..<offsets[s + 1]`, and `values(s, body)` calls `body` with its value rows
    /// (kv heads side by side), their count (the keys each query row may read) and row stride.
    /// Query head h reads value head h / (heads / kvHeads).
    /// - Complexity: O(rows · heads · keys · headDim).
    package static func product(_ p: UnsafePointer<Float>, keyWidth: Int, heads: Int, kvHeads: Int, headDim hd: Int,
                               offsets: [Int], output: UnsafeMutablePointer<Float>,
                               values: (Int, (UnsafePointer<Float>, Int, Int) -> Void) -> Void) {
        let (group, width) = (heads / kvHeads, heads * hd)
        for s in 0..<(offsets.count - 1) {
            let (row, length) = (offsets[s], offsets[s + 1] - offsets[s])
            values(s) { v, keys, stride in
                for h in 0..<heads {
                    GEMM.multiply(m: length, n: hd, k: keys,
                                  a: p + (row * heads + h) * keyWidth, lda: heads * keyWidth,
                                  b: v + (h / group) * hd, ldb: stride,
                                  c: output + row * width + h * hd, ldc: width)
                }
            }
        }
    }

    /// The softmax's pullback, row by row: dS = P ∘ (dP − rowsum(P ∘ dP)) for `rows` rows of
    /// `keys`, each at its leading dimension. `ds` may be `dp` (in place). O(rows · keys).
    static func softmaxPullback(rows: Int, keys: Int, p: UnsafePointer<Float>, ldp: Int,
                                dp: UnsafePointer<Float>, lddp: Int, ds: UnsafeMutablePointer<Float>, ldds: Int) {
        for i in 0..<rows {
            let (prow, dprow, dsrow) = (p + i * ldp, dp + i * lddp, ds + i * ldds)
            var dot: Float = 0
            for j in 0..<keys { dot += dprow[j] * prow[j] }
            for j in 0..<keys { dsrow[j] = prow[j] * (dprow[j] - dot) }
        }
    }

    /// The soft-cap's pullback for one head, in place: with s = scale·Q·Kᵀ recomputed (the
    /// forward keeps only P), dS ← dS · (1 − tanh²(s/c)), the derivative of c·tanh(s/c).
    /// Masked keys have P = 0, so their dS is 0 whatever the factor. O(queries · keys · headDim).
    static func softcapPullback(queries tq: Int, keys tk: Int, headDim hd: Int, scale: Float, cap: Float,
                                ds: UnsafeMutablePointer<Float>, ldds: Int,
                                q: UnsafePointer<Float>, ldq: Int, k: UnsafePointer<Float>, ldk: Int) {
        let scores = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(1, tq * tk))
        defer { scores.deallocate() }
        GEMM.multiply(m: tq, n: tk, k: hd, a: q, lda: ldq, b: k, ldb: ldk, .transposed, c: scores, ldc: tk, alpha: scale)
        for i in 0..<tq {
            let (srow, dsrow) = (scores + i * tk, ds + i * ldds)
            for j in 0..<tk {
                let t = Foundation.tanh(srow[j] / cap)
                dsrow[j] *= 1 - t * t
            }
        }
    }

    /// The scores' pullback for one head (scores = scale · Q·Kᵀ): dQ = scale · dS·K (written)
    /// and dK += scale · dSᵀ·Q (added, since the heads of a group share K); either may be nil.
    /// dS is [queries, keys] at `ldds`; Q, K, dQ and dK are row-major at their strides.
    /// O(queries · keys · headDim).
    static func scoresPullback(queries tq: Int, keys tk: Int, headDim hd: Int, scale: Float,
                               ds: UnsafePointer<Float>, ldds: Int,
                               q: UnsafePointer<Float>, ldq: Int, k: UnsafePointer<Float>, ldk: Int,
                               dq: UnsafeMutablePointer<Float>?, dk: UnsafeMutablePointer<Float>?) {
        if let dq {
            GEMM.multiply(m: tq, n: hd, k: tk, a: ds, lda: ldds, b: k, ldb: ldk, c: dq, ldc: ldq, alpha: scale)
        }
        if let dk {
            GEMM.multiply(m: tk, n: hd, k: tq, a: ds, lda: ldds, .transposed, b: q, ldb: ldq,
                          c: dk, ldc: ldk, alpha: scale, beta: 1)
        }
    }
}
