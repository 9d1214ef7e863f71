extension ScaledDotProductAttention {
    /// Causal attention over tensors: softmax(q·kᵀ·scale + mask)·v for every batch row and head.
    ///
    /// - Parameters:
    ///   - queries: [batch, queryLength, heads · headDim].
    ///   - keys, values: [batch, keyLength, kvHeads · headDim]; query head h reads key/value head
    ///     h / (heads / kvHeads) (grouped-query attention).
    ///   - heads: query heads; `kvHeads` defaults to `heads`.
    ///   - keyMask: [batch · keyLength], 1 for a real token and 0 for padding; nil means all real.
    ///     Masking and the causal rule are those of the pointer-based call.
    /// - Returns: [batch, queryLength, heads · headDim].
    ///
    /// Differentiable in queries, keys and values: when any is tracked, the attention
    /// probabilities ([batch, heads, queryLength, keyLength]) are kept for the backward pass,
    /// which computes dV = Pᵀ·dO, dS = P∘(dO·Vᵀ − rowsum(P∘dO·Vᵀ)) (times 1 − tanh²(s/c) under a
    /// ``softcap`` c, the scores s recomputed), dQ = scale·dS·K and
    /// dK = scale·dSᵀ·Q with `cblas_sgemm`, summing dK and dV over the heads of a group.
    /// - Complexity: O(batch · heads · queryLength · keyLength · headDim) each way.
    package func callAsFunction(queries: Tensor, keys: Tensor, values: Tensor,
                               heads: Int, kvHeads: Int? = nil, keyMask: [Float]? = nil) -> Tensor {
        let kvHeads = kvHeads ?? heads
        // A model-code invariant, not a user error: the loader validates checkpoint shapes and the
        // model passes its own activations. Intervention code uses the throwing tensor operations.
        precondition(queries.rank == 3 && keys.rank == 3 && values.rank == 3 && keys.shape == values.shape
                     && queries.shape[0] == keys.shape[0] && heads > 0 && kvHeads > 0
                     && queries.shape[2] % heads == 0 && keys.shape[2] == queries.shape[2] / heads * kvHeads,
                     "attention of queries \(queries.shape), keys \(keys.shape), values \(values.shape) with \(heads) heads and \(kvHeads) key/value heads")
        let (batch, tq, tk) = (queries.shape[0], queries.shape[1], keys.shape[1])
        let hd = queries.shape[2] / heads
        precondition(keyMask == nil || keyMask?.count == batch * tk, "keyMask needs \(batch * tk) entries, got \(keyMask?.count ?? 0)")
        let shape = Shape(batch: batch, queryLength: tq, keyLength: tk, heads: heads, kvHeads: kvHeads, headDim: hd)
        let (q, k, v) = (queries.detached(), keys.detached(), values.detached())
        let tracked = queries.isTracked || keys.isTracked || values.isTracked
        var probabilities = tracked ? Tensor.zeros(unchecked: [batch, heads, tq, tk]) : Tensor.zeros(unchecked: [0])
        let (dq, dkv) = (heads * hd, kvHeads * hd)
        let output = Tensor(uncheckedShape: [batch, tq, dq]) { out in
            q.withUnsafeBuffer { qp in
                k.withUnsafeBuffer { kp in
                    v.withUnsafeBuffer { vp in
                        probabilities.withUnsafeMutableBuffer { pp in
                            let run = { (mask: UnsafePointer<Float>?) in
                                self(shape: shape, queries: .init(qp.baseAddress!, rowStride: dq),
                                     keys: .init(kp.baseAddress!, rowStride: dkv), values: .init(vp.baseAddress!, rowStride: dkv),
                                     keyMask: mask, output: out.baseAddress!, outputStride: dq,
                                     probabilities: tracked ? pp.baseAddress : nil)
                            }
                            if let keyMask { keyMask.withUnsafeBufferPointer { run($0.baseAddress) } } else { run(nil) }
                        }
                    }
                }
            }
        }
        guard tracked else { return output }
        let p = probabilities
        let (needQ, needK, needV) = (queries.isTracked, keys.isTracked, values.isTracked)
        let (scale, softcap) = (self.scale, self.softcap)
        return Tensor.recorded(output, from: [queries, keys, values]) { g in
            var (dQ, dK, dV) = (Tensor.zeros(unchecked: q.shape), Tensor.zeros(unchecked: k.shape), Tensor.zeros(unchecked: v.shape))
            let group = heads / kvHeads
            dQ.withUnsafeMutableBuffer { dqb in dK.withUnsafeMutableBuffer { dkb in dV.withUnsafeMutableBuffer { dvb in
                q.withUnsafeBuffer { qb in k.withUnsafeBuffer { kb in v.withUnsafeBuffer { vb in
                    p.withUnsafeBuffer { pb in g.withUnsafeBuffer { gb in
                        let (qp, kp, vp, pp, gp) = (qb.baseAddress!, kb.baseAddress!, vb.baseAddress!, pb.baseAddress!, gb.baseAddress!)
                        let (dqp, dkp, dvp) = (dqb.baseAddress!, dkb.baseAddress!, dvb.baseAddress!)
                        // One task per (batch row, key/value head): the heads of a group add into
                        // the same dK and dV, so they run in order within the task.
                        let task = { (t: Int) in
                            let (b, kvh) = t.quotientAndRemainder(dividingBy: kvHeads)
                            let ds = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(1, tq * tk))
                            defer { ds.deallocate() }
                            let kvOffset = b * tk * dkv + kvh * hd
                            for h in (kvh * group)..<((kvh + 1) * group) {
                                let pbh = pp + (b * heads + h) * tq * tk
                                let qOffset = b * tq * dq + h * hd
                                if needV {
                                    GEMM.multiply(m: tk, n: hd, k: tq, a: pbh, lda: tk, .transposed, b: gp + qOffset, ldb: dq,
                                                  c: dvp + kvOffset, ldc: dkv, beta: 1)
                                }
                                guard needQ || needK else { continue }
                                GEMM.multiply(m: tq, n: tk, k: hd, a: gp + qOffset, lda: dq, b: vp + kvOffset, ldb: dkv, .transposed,
                                              c: ds, ldc: tk)
                                Self.softmaxPullback(rows: tq, keys: tk, p: pbh, ldp: tk, dp: ds, lddp: tk, ds: ds, ldds: tk)
                                if let softcap {
                                    Self.softcapPullback(queries: tq, keys: tk, headDim: hd, scale: scale, cap: softcap, ds: ds, ldds: tk,
                                                         q: qp + qOffset, ldq: dq, k: kp + kvOffset, ldk: dkv)
                                }
                                Self.scoresPullback(queries: tq, keys: tk, headDim: hd, scale: scale, ds: ds, ldds: tk,
                                                    q: qp + qOffset, ldq: dq, k: kp + kvOffset, ldk: dkv,
                                                    dq: needQ ? dqp + qOffset : nil, dk: needK ? dkp + kvOffset : nil)
                            }
                        }
                        // Small products run concurrently per task (OpenBLAS keeps them on the
                        // calling thread); large ones one after another, threaded by OpenBLAS.
                        if tq * tk * hd < (1 << 18) {
                            Parallel.forEach(batch * kvHeads, costPerItem: 4 * group * tq * tk * hd, task)
                        } else {
                            for t in 0..<(batch * kvHeads) { task(t) }
                        }
                    } }
                } } }
            } } }
            return [needQ ? dQ : nil, needK ? dK : nil, needV ? dV : nil]
        }
    }
}
