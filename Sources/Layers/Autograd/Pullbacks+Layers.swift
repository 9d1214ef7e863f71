import SwiftSightCKernels

// The recording paths of the model layers: each computes its result with the untracked code
// (so values are bit-identical to an untracked forward) and records a pullback.

extension Linear {
    /// x·W + b recorded on the tape of whichever of x, W, b is tracked. dX = G·Wᵀ always (when
    /// x is tracked); dW and db only when the weight or bias is itself tracked (watched).
    func recordedCall(_ x: Tensor) -> Tensor {
        let (xd, w, b) = (x.detached(), weight.detached(), bias?.detached())
        let result = Linear(weight: w, bias: b, layout: layout, packedWeights: packedWeights)(xd)
        let (k, n, layout, packed) = (inputSize, outputSize, layout, packedWeights)
        let rows = xd.count / Swift.max(k, 1)
        let (needX, needW, needB) = (x.isTracked, weight.isTracked, bias?.isTracked ?? false)
        typealias M = Tensor.MatrixOperand
        return Tensor.recorded(result, from: [x, weight] + (bias.map { [$0] } ?? [])) { g in
            let go = M(tensor: g, rows: rows, columns: n, stride: 0)
            let x2 = M(tensor: xd, rows: rows, columns: k, stride: 0)
            var grads: [Tensor?] = [nil, nil, nil]
            if needX {
                if let packed, PackedWeights.hasVectorKernel {
                    // On Wᵀ packed for the kernel: no per-call packing of W, as sgemm would do.
                    let backward = packed.transposed(from: w)
                    grads[0] = Tensor(uncheckedShape: xd.shape) { dx in
                        g.withUnsafeBuffer { gs in
                            backward.multiply(rows: rows, a: gs.baseAddress!, lda: n, bias: nil, c: dx.baseAddress!, ldc: k)
                        }
                    }
                } else {
                    let wo = layout == .inputMajor ? M(tensor: w, rows: k, columns: n, transposed: true, stride: 0)
                                                   : M(tensor: w, rows: n, columns: k, stride: 0)
                    grads[0] = Tensor.product(go, wo, batch: 1, shape: xd.shape)
                }
            }
            if needW {
                grads[1] = layout == .inputMajor
                    ? Tensor.product(M(tensor: xd, rows: rows, columns: k, transposed: true, stride: 0), go, batch: 1, shape: w.shape)
                    : Tensor.product(M(tensor: g, rows: rows, columns: n, transposed: true, stride: 0), x2, batch: 1, shape: w.shape)
            }
            if needB, let b { grads[2] = g.summed(toShape: b.shape) }
            return Array(grads.prefix(b == nil ? 2 : 3))
        }
    }
}

extension LayerNorm {
    /// The normalisation recorded: dx with PyTorch's CPU formula, dγ and dβ when tracked.
    func recordedCall(_ x: Tensor) -> Tensor {
        let (xd, gamma, beta) = (x.detached(), weight.detached(), bias?.detached())
        let result = LayerNorm(weight: gamma, bias: beta, epsilon: epsilon)(xd)
        let (d, eps) = (gamma.count, epsilon)
        let rows = xd.count / Swift.max(d, 1)
        let (needX, needG, needB) = (x.isTracked, weight.isTracked, bias?.isTracked ?? false)
        return Tensor.recorded(result, from: [x, weight] + (bias.map { [$0] } ?? [])) { g in
            var grads: [Tensor?] = [nil, nil, nil]
            if needX {
                grads[0] = Tensor(uncheckedShape: xd.shape) { dx in
                    xd.withUnsafeBuffer { xs in
                        g.withUnsafeBuffer { gs in
                            gamma.withUnsafeBuffer { gm in
                                let (xp, gp, op, gmp) = (xs.baseAddress!, gs.baseAddress!, dx.baseAddress!, gm.baseAddress!)
                                Parallel.forRanges(rows, costPerItem: 6 * d) { r in
                                    let o = r.lowerBound * d
                                    ss_layernorm_backward(xp + o, gp + o, op + o, r.count, d, gmp, eps)
                                }
                            }
                        }
                    }
                }
            }
            if needG || needB {
                var (dg, db) = (Tensor.zeros(unchecked: [d]), Tensor.zeros(unchecked: [d]))
                xd.withUnsafeBuffer { xs in
                    g.withUnsafeBuffer { gs in
                        dg.withUnsafeMutableBuffer { dgp in
                            db.withUnsafeMutableBuffer { dbp in
                                ss_layernorm_param_backward(xs.baseAddress, gs.baseAddress, rows, d, eps,
                                                            needG ? dgp.baseAddress : nil, needB ? dbp.baseAddress : nil)
                            }
                        }
                    }
                }
                if needG { grads[1] = dg.reshaped(unchecked: gamma.shape) }
                if needB, let beta { grads[2] = db.reshaped(unchecked: beta.shape) }
            }
            return Array(grads.prefix(beta == nil ? 2 : 3))
        }
    }
}

extension Activation {
    /// Replaces a tracked `x` by the activation recorded as a new node (the input is saved).
    func recordedApply(_ x: inout Tensor) {
        let input = x.detached()
        var y = input
        apply(&y)
        let activation = self
        x = Tensor.recorded(y, from: [x]) { g in
            [Tensor(uncheckedShape: input.shape) { dx in
                input.withUnsafeBuffer { xs in
                    g.withUnsafeBuffer { gs in
                        let (xp, gp, op) = (xs.baseAddress!, gs.baseAddress!, dx.baseAddress!)
                        Parallel.forRanges(xs.count, costPerItem: 10) { r in
                            let (a, b, o, n) = (xp + r.lowerBound, gp + r.lowerBound, op + r.lowerBound, r.count)
                            switch activation {
                            case .geluNew, .geluPytorchTanh, .geluFast: ss_gelu_tanh_backward(a, b, o, n)
                            case .gelu: ss_gelu_erf_backward(a, b, o, n)
                            case .silu: ss_silu_backward(a, b, o, n)
                            case .relu: ss_relu_backward(a, b, o, n)
                            }
                        }
                    }
                }
            }]
        }
    }
}

extension Embedding {
    /// The lookup recorded: the table's gradient adds each row's gradient at its id.
    func recordedCall(_ ids: [Int], shape: [Int]) -> Tensor {
        let table = self.table.detached()
        let result = Embedding(table: table)(ids, shape: shape)
        let width = table.shape[1]
        return Tensor.recorded(result, from: [self.table]) { g in
            var dt = Tensor.zeros(unchecked: table.shape)
            dt.withUnsafeMutableBuffer { d in
                g.withUnsafeBuffer { gs in
                    for (r, id) in ids.enumerated() {
                        let (dst, src) = (d.baseAddress! + id * width, gs.baseAddress! + r * width)
                        for j in 0..<width { dst[j] += src[j] }
                    }
                }
            }
            return [dt]
        }
    }
}
