import SwiftSightCKernels
import Foundation

/// Causal scaled dot-product attention over packed rows, shared by every architecture.
///
/// Queries, keys and values are read in place from row-major buffers with a row stride, so a
/// fused QKV projection ([rows, 3·D] in GPT-2) needs no copy. Grouped-query attention maps
/// query head h to key/value head h / (heads / kvHeads). With a sliding ``window`` (Mistral,
/// Qwen2), the query at position p sees only keys at positions > p − window.
package struct ScaledDotProductAttention: Sendable {
    /// Sizes of one attention call.
    package struct Shape: Sendable {
        package var batch: Int
        package var queryLength: Int
        package var keyLength: Int
        package var heads: Int
        package var kvHeads: Int
        package var headDim: Int

        /// Sizes for self-attention over `length` positions, or queries appended after
        /// `keyLength - queryLength` cached positions.
        package init(batch: Int, queryLength: Int, keyLength: Int, heads: Int, kvHeads: Int, headDim: Int) {
            // A model-code invariant, not a user error: the loader validates checkpoint shapes and the
            // model passes its own activations. Intervention code uses the throwing tensor operations.
            precondition(heads % kvHeads == 0, "\(heads) heads cannot share \(kvHeads) key/value heads")
            precondition(keyLength >= queryLength, "fewer keys than queries")
            (self.batch, self.queryLength, self.keyLength) = (batch, queryLength, keyLength)
            (self.heads, self.kvHeads, self.headDim) = (heads, kvHeads, headDim)
        }
    }

    /// A row-major operand: element (row, column) at `base[row * rowStride + column]`.
    package struct Operand {
        package var base: UnsafePointer<Float>
        package var rowStride: Int
        package init(_ base: UnsafePointer<Float>, rowStride: Int) { (self.base, self.rowStride) = (base, rowStride) }
    }

    /// Multiplies the scores before the softmax (1/√headDim, possibly more).
    package let scale: Float
    /// The sliding window: how many positions (the query's own included) a query sees; nil
    /// for full causal attention.
    package let window: Int?
    /// Gemma 2's `attn_logit_softcapping` c: each scaled score s becomes c·tanh(s/c) before the
    /// mask and the softmax, bounding the logits to (−c, c); nil leaves the scores as they are.
    package let softcap: Float?

    /// Attention with the given score scale, optional sliding window and optional score soft-cap.
    package init(scale: Float, window: Int? = nil, softcap: Float? = nil) {
        precondition(window.map { $0 > 0 } ?? true, "sliding window \(window ?? 0) must be positive")
        precondition(softcap.map { $0 > 0 && $0.isFinite } ?? true, "score soft-cap \(softcap ?? 0) must be positive")
        (self.scale, self.window, self.softcap) = (scale, window, softcap)
    }

    /// c·tanh(s/c) over `count` scores in place (the order of transformers' `eager_attention_forward`:
    /// divide, tanh, multiply). O(count).
    @inline(__always)
    static func softcapped(_ row: UnsafeMutablePointer<Float>, count: Int, cap: Float) {
        for j in 0..<count { row[j] = Foundation.tanh(row[j] / cap) * cap }
    }

    /// Query rows per piece of work: small enough that OpenBLAS runs each product on the
    /// calling thread (it threads products above 2^18 multiply-adds), so the pieces spread
    /// over the cores without contending for OpenBLAS's own threads.
    static func chunkRows(keys: Int, headDim: Int) -> Int {
        max(16, min(128, (1 << 18) / max(1, keys * headDim)))
    }

    /// Computes softmax(cap(q·kᵀ·scale) + mask)·v for every batch row and head (cap the
    /// identity without a ``softcap``).
    ///
    /// - Parameters:
    ///   - keyMask: [batch · keyLength], 1 for a real token and 0 for padding; nil means all real.
    ///     Query i (at absolute position keyLength - queryLength + i) sees keys j <= that position
    ///     that are real (and, with a ``window``, within it). A query with no visible key (a
    ///     padding row) attends to itself only.
    ///   - output: [batch · queryLength] rows of `heads · headDim` at `outputStride`.
    ///   - probabilities: if given, receives [batch, heads, queryLength, keyLength].
    /// - Complexity: O(batch · heads · queryLength · keyLength · headDim), split over the cores
    ///   by (batch, head, block of queries); keys after a block's last query are not computed.
    package func callAsFunction(
        shape s: Shape, queries q: Operand, keys k: Operand, values v: Operand,
        keyMask: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>, outputStride: Int,
        probabilities: UnsafeMutablePointer<Float>? = nil
    ) {
        let (tq, tk, hd) = (s.queryLength, s.keyLength, s.headDim)
        let group = s.heads / s.kvHeads
        let past = tk - tq
        let chunk = Self.chunkRows(keys: tk, headDim: hd)
        let chunks = (tq + chunk - 1) / chunk
        let (scale, window, softcap) = (self.scale, self.window, self.softcap)
        Parallel.forEach(s.batch * s.heads * chunks, costPerItem: chunk * tk * hd) { task in
            let (bh, c) = task.quotientAndRemainder(dividingBy: chunks)
            let (b, h) = bh.quotientAndRemainder(dividingBy: s.heads)
            let rows = (c * chunk)..<min(tq, (c + 1) * chunk)
            let keys = past + rows.upperBound
            let scores = UnsafeMutablePointer<Float>.allocate(capacity: rows.count * keys)
            defer { scores.deallocate() }
            let kvh = h / group
            let qp = q.base + (b * tq + rows.lowerBound) * q.rowStride + h * hd
            let kp = k.base + b * tk * k.rowStride + kvh * hd
            let vp = v.base + b * tk * v.rowStride + kvh * hd
            if rows.count == 1 {
                // A generation step: on this thread (OpenBLAS would thread a long row).
                ss_row_by_rows(qp, kp, k.rowStride, keys, hd, scale, scores)
            } else {
                GEMM.multiply(m: rows.count, n: keys, k: hd, a: qp, lda: q.rowStride,
                              b: kp, ldb: k.rowStride, .transposed, c: scores, ldc: keys, alpha: scale)
            }
            for (r, i) in rows.enumerated() {
                let row = scores + r * keys
                let visible = past + i + 1
                // Keys before `first` are outside the sliding window: probability exactly 0.
                let first = window.map { Swift.max(0, visible - $0) } ?? 0
                if let softcap { Self.softcapped(row + first, count: visible - first, cap: softcap) }
                var any = keyMask == nil
                if let keyMask {
                    let m = keyMask + b * tk
                    for j in first..<visible { if m[j] == 0 { row[j] = -.infinity } else { any = true } }
                }
                if any {
                    Softmax.inPlace(row + first, count: keys - first, validCount: visible - first)
                    row.update(repeating: 0, count: first)
                } else {
                    row.update(repeating: 0, count: keys)
                    row[past + i] = 1
                }
                if let probabilities {
                    let dst = probabilities + ((b * s.heads + h) * tq + i) * tk
                    dst.update(from: row, count: keys)
                    (dst + keys).update(repeating: 0, count: tk - keys)
                }
            }
            let out = output + (b * tq + rows.lowerBound) * outputStride + h * hd
            if rows.count == 1 {
                ss_row_by_matrix(scores, vp, v.rowStride, keys, hd, out)
            } else {
                GEMM.multiply(m: rows.count, n: hd, k: keys, a: scores, lda: keys,
                              b: vp, ldb: v.rowStride, c: out, ldc: outputStride)
            }
        }
    }
}
