/// Attention split at its probabilities, for sequences packed in rows: P = softmax(mask(Q·Kᵀ·scale))
/// packed [rows, heads, keyWidth], then P·V, each differentiable on its own, so that P can be
/// read, replaced and differentiated in between (`attention_probabilities.i` in traces that
/// record gradients). Sequence s holds rows `offsets[s]..<offsets[s + 1]`; its query row i
/// holds keys 0..<length(s) (causal, and windowed with a ``window``: probability exactly 0
/// outside), zeros after them.
extension ScaledDotProductAttention {
    /// The causal attention probabilities of sequences packed in rows, [rows, heads, keyWidth].
    ///
    /// - Parameters:
    ///   - queries: [rows, heads · headDim]; keys: [rows, kvHeads · headDim]. Query head h
    ///     reads key head h / (heads / kvHeads).
    ///   - offsets: where each sequence starts, and the row count last.
    ///   - keyWidth: at least the longest sequence.
    /// - Returns: the kernel's probabilities, bit for bit those of the pointer-based call.
    ///   Differentiable in queries and keys: dS = P ∘ (dP − rowsum(P ∘ dP)) over each row's
    ///   keys (times 1 − tanh²(s/c) under a ``softcap`` c), dQ = scale·dS·K, dK = scale·dSᵀ·Q
    ///   (summed over the heads of a group).
    /// - Complexity: O(rows · heads · length · headDim) each way.
    package func packedProbabilities(queries: Tensor, keys: Tensor, heads: Int, kvHeads: Int,
                                    offsets: [Int], keyWidth: Int) -> Tensor {
        let rows = offsets.last ?? 0
        // A model-code invariant, not a user error: the loader validates checkpoint shapes and the
        // model passes its own activations. Intervention code uses the throwing tensor operations.
        precondition(queries.rank == 2 && keys.rank == 2 && queries.shape[0] == rows && keys.shape[0] == rows
                     && heads > 0 && kvHeads > 0 && heads % kvHeads == 0 && queries.shape[1] % heads == 0
                     && keys.shape[1] == queries.shape[1] / heads * kvHeads,
                     "probabilities of queries \(queries.shape) and keys \(keys.shape) with \(heads)/\(kvHeads) heads over \(rows) rows")
        let (hd, width, kvWidth) = (queries.shape[1] / heads, queries.shape[1], keys.shape[1])
        let lengths = (0..<(offsets.count - 1)).map { offsets[$0 + 1] - offsets[$0] }
        precondition(lengths.allSatisfy { $0 >= 0 && $0 <= keyWidth }, "sequences of \(lengths) for \(keyWidth) keys")
        let (q, k) = (queries.detached(), keys.detached())
        var probabilities = Tensor.zeros(unchecked: [rows, heads, keyWidth])
        probabilities.withUnsafeMutableBuffer { packed in
            q.withUnsafeBuffer { qb in
                k.withUnsafeBuffer { kb in
                    for (s, length) in lengths.enumerated() where length > 0 {
                        let row = offsets[s]
                        let shape = Shape(batch: 1, queryLength: length, keyLength: length, heads: heads, kvHeads: kvHeads, headDim: hd)
                        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: heads * length * length)
                        let discarded = UnsafeMutablePointer<Float>.allocate(capacity: length * width)
                        defer { scratch.deallocate(); discarded.deallocate() }
                        let keyRows = Operand(kb.baseAddress! + row * kvWidth, rowStride: kvWidth)
                        self(shape: shape, queries: .init(qb.baseAddress! + row * width, rowStride: width), keys: keyRows,
                             values: keyRows, keyMask: nil, output: discarded, outputStride: width, probabilities: scratch)
                        Self.pack(scratch, keys: length, into: packed.baseAddress!, row: row, rows: length,
                                  heads: heads, keyWidth: keyWidth)
                    }
                }
            }
        }
        guard queries.isTracked || keys.isTracked else { return probabilities }
        let (p, scale, softcap, needQ, needK) = (probabilities, self.scale, self.softcap, queries.isTracked, keys.isTracked)
        return Tensor.recorded(probabilities, from: [queries, keys]) { g in
            var (dQ, dK) = (Tensor.zeros(unchecked: q.shape), Tensor.zeros(unchecked: k.shape))
            let group = heads / kvHeads
            let ld = heads * keyWidth
            dQ.withUnsafeMutableBuffer { dqb in dK.withUnsafeMutableBuffer { dkb in
                q.withUnsafeBuffer { qb in k.withUnsafeBuffer { kb in p.withUnsafeBuffer { pb in g.withUnsafeBuffer { gb in
                    // One task per (sequence, kv head): the heads of a group add into the same dK.
                    Self.perSequenceAndKVHead(lengths: lengths, kvHeads: kvHeads, headDim: hd) { s, kvh in
                        let (row, length) = (offsets[s], lengths[s])
                        let ds = UnsafeMutablePointer<Float>.allocate(capacity: length * length)
                        defer { ds.deallocate() }
                        let kOffset = row * kvWidth + kvh * hd
                        for h in (kvh * group)..<((kvh + 1) * group) {
                            let at = (row * heads + h) * keyWidth
                            Self.softmaxPullback(rows: length, keys: length, p: pb.baseAddress! + at, ldp: ld,
                                                 dp: gb.baseAddress! + at, lddp: ld, ds: ds, ldds: length)
                            let qOffset = row * width + h * hd
                            if let softcap {
                                Self.softcapPullback(queries: length, keys: length, headDim: hd, scale: scale, cap: softcap,
                                                     ds: ds, ldds: length, q: qb.baseAddress! + qOffset, ldq: width,
                                                     k: kb.baseAddress! + kOffset, ldk: kvWidth)
                            }
                            Self.scoresPullback(queries: length, keys: length, headDim: hd, scale: scale, ds: ds, ldds: length,
                                                q: qb.baseAddress! + qOffset, ldq: width, k: kb.baseAddress! + kOffset, ldk: kvWidth,
                                                dq: needQ ? dqb.baseAddress! + qOffset : nil, dk: needK ? dkb.baseAddress! + kOffset : nil)
                        }
                    }
                } } } }
            } }
            return [needQ ? dQ : nil, needK ? dK : nil]
        }
    }

    /// P·V per sequence and head from packed probabilities ([rows, heads, keyWidth], row i of
    /// sequence s reading keys 0..<length(s), whatever they hold) and values
    /// ([rows, kvHeads · headDim]); query head h reads value head h / (heads / kvHeads).
    ///
    /// - Returns: [rows, heads · headDim], as the pointer-based ``product(_:keyWidth:heads:kvHeads:headDim:offsets:output:values:)``.
    ///   Differentiable in both: dP = dO·Vᵀ over each row's keys 0..<length(s) (0 after
    ///   them), dV = Pᵀ·dO (summed over the heads of a group).
    /// - Complexity: O(rows · heads · length · headDim) each way.
    package static func packedProduct(probabilities: Tensor, values: Tensor, heads: Int, kvHeads: Int,
                                     offsets: [Int]) -> Tensor {
        let rows = offsets.last ?? 0
        precondition(probabilities.rank == 3 && values.rank == 2 && probabilities.shape[0] == rows && values.shape[0] == rows
                     && probabilities.shape[1] == heads && kvHeads > 0 && heads % kvHeads == 0 && values.shape[1] % kvHeads == 0,
                     "P·V of probabilities \(probabilities.shape) and values \(values.shape) with \(heads)/\(kvHeads) heads over \(rows) rows")
        let (keyWidth, kvWidth) = (probabilities.shape[2], values.shape[1])
        let hd = kvWidth / kvHeads
        let width = heads * hd
        let lengths = (0..<(offsets.count - 1)).map { offsets[$0 + 1] - offsets[$0] }
        precondition(lengths.allSatisfy { $0 >= 0 && $0 <= keyWidth }, "sequences of \(lengths) for \(keyWidth) keys")
        let (p, v) = (probabilities.detached(), values.detached())
        var output = Tensor.zeros(unchecked: [rows, width])
        output.withUnsafeMutableBuffer { out in
            p.withUnsafeBuffer { pb in
                v.withUnsafeBuffer { vb in
                    product(pb.baseAddress!, keyWidth: keyWidth, heads: heads, kvHeads: kvHeads, headDim: hd,
                            offsets: offsets, output: out.baseAddress!) { s, body in
                        body(vb.baseAddress! + offsets[s] * kvWidth, lengths[s], kvWidth)
                    }
                }
            }
        }
        guard probabilities.isTracked || values.isTracked else { return output }
        let (needP, needV) = (probabilities.isTracked, values.isTracked)
        return Tensor.recorded(output, from: [probabilities, values]) { g in
            var (dP, dV) = (Tensor.zeros(unchecked: p.shape), Tensor.zeros(unchecked: v.shape))
            let group = heads / kvHeads
            let ld = heads * keyWidth
            dP.withUnsafeMutableBuffer { dpb in dV.withUnsafeMutableBuffer { dvb in
                p.withUnsafeBuffer { pb in v.withUnsafeBuffer { vb in g.withUnsafeBuffer { gb in
                    Self.perSequenceAndKVHead(lengths: lengths, kvHeads: kvHeads, headDim: hd) { s, kvh in
                        let (row, length) = (offsets[s], lengths[s])
                        let vOffset = row * kvWidth + kvh * hd
                        for h in (kvh * group)..<((kvh + 1) * group) {
                            let (at, gOffset) = ((row * heads + h) * keyWidth, row * width + h * hd)
                            if needP {
                                GEMM.multiply(m: length, n: length, k: hd, a: gb.baseAddress! + gOffset, lda: width,
                                              b: vb.baseAddress! + vOffset, ldb: kvWidth, .transposed,
                                              c: dpb.baseAddress! + at, ldc: ld)
                            }
                            if needV {
                                GEMM.multiply(m: length, n: hd, k: length, a: pb.baseAddress! + at, lda: ld, .transposed,
                                              b: gb.baseAddress! + gOffset, ldb: width,
                                              c: dvb.baseAddress! + vOffset, ldc: kvWidth, beta: 1)
                            }
                        }
                    }
                } } }
            } }
            return [needP ? dP : nil, needV ? dV : nil]
        }
    }

    /// Calls `task(sequence, kvHead)` for every non-empty sequence and key/value head: small
    /// products concurrently (OpenBLAS keeps them on the calling thread), large ones one after
    /// another, threaded by OpenBLAS.
    private static func perSequenceAndKVHead(lengths: [Int], kvHeads: Int, headDim hd: Int, _ task: (Int, Int) -> Void) {
        let longest = lengths.max() ?? 0
        let tasks = lengths.count * kvHeads
        withoutActuallyEscaping(task) { task in
            let body = { (t: Int) in
                let (s, kvh) = t.quotientAndRemainder(dividingBy: kvHeads)
                if lengths[s] > 0 { task(s, kvh) }
            }
            if longest * longest * hd < (1 << 18) {
                Parallel.forEach(tasks, costPerItem: 4 * longest * longest * hd, body)
            } else {
                for t in 0..<tasks { body(t) }
            }
        }
    }
}
