/// An affine map y = x·W + b over the last axis.
///
/// Checkpoints store W two ways: Hugging Face's GPT-2 `Conv1D` keeps it as [in, out],
/// `torch.nn.Linear` as [out, in]. Both are used as stored by `cblas_sgemm`, which transposes on
/// the fly; a layer made with ``packed(_:)`` runs its untracked and recorded forward products on a
/// copy of W packed once for SwiftSight's own kernel instead (``PackedWeights``).
package struct Linear: Sendable {
    /// How the weight matrix is laid out in memory.
    package enum Layout: Sendable {
        /// [in, out], as in GPT-2's Conv1D.
        case inputMajor
        /// [out, in], as in `torch.nn.Linear` (and a tied embedding used as the output head).
        case outputMajor
    }

    /// The weight, in `layout`.
    package let weight: Tensor
    /// The bias, [out], if any.
    package let bias: Tensor?
    /// The layout of `weight`.
    package let layout: Layout
    /// The packed copy of `weight` the forward products use, if ``packed(_:)`` made one.
    package let packedWeights: PackedWeights?

    /// A linear layer; `weight` must be rank 2 and `bias` (if any) as long as the output.
    package init(weight: Tensor, bias: Tensor?, layout: Layout) {
        self.init(weight: weight, bias: bias, layout: layout, packedWeights: nil)
    }

    init(weight: Tensor, bias: Tensor?, layout: Layout, packedWeights: PackedWeights?) {
        // A model-code invariant, not a user error: the loader validates checkpoint shapes and the
        // model passes its own activations. Intervention code uses the throwing tensor operations.
        precondition(weight.rank == 2, "Linear weight must be rank 2, got \(weight.shape)")
        self.weight = weight
        self.bias = bias
        self.layout = layout
        self.packedWeights = packedWeights
        if let bias { precondition(bias.count == outputSize, "Linear bias \(bias.shape) for output \(outputSize)") }
        if let packedWeights {
            precondition(packedWeights.inputSize == inputSize && packedWeights.outputSize == outputSize,
                         "packed weights \(packedWeights.inputSize)x\(packedWeights.outputSize) for Linear \(inputSize)->\(outputSize)")
        }
    }

    /// The same layer, its forward products run on a copy of the weight packed once now (at load).
    ///
    /// `.float32` keeps the values (results differ from OpenBLAS's only in summation order) and is
    /// used only where the packed kernel's vector code runs (AVX-512): elsewhere it returns `self`.
    /// `.bfloat16` rounds every weight to bfloat16, halving the bytes each product reads.
    /// Costs the packed copy's memory (4 or 2 bytes per weight) on top of the original, which
    /// gradients keep using. O(in·out).
    package func packed(_ precision: WeightPrecision = .float32) -> Linear {
        if precision == .float32 && !PackedWeights.hasVectorKernel { return self }
        if let packedWeights, packedWeights.precision == precision { return self }
        let packed = PackedWeights(weight.detached(), transposed: layout == .outputMajor, precision: precision)
        return Linear(weight: weight, bias: bias, layout: layout, packedWeights: packed)
    }

    /// The same layer with `weight` and `bias` replaced by tensors holding the same values (for
    /// example the same parameters watched on a gradient tape), keeping any packed copy.
    package func withParameters(weight: Tensor, bias: Tensor?) -> Linear {
        precondition(weight.shape == self.weight.shape, "Linear.withParameters: weight \(weight.shape) for \(self.weight.shape)")
        return Linear(weight: weight, bias: bias, layout: layout, packedWeights: packedWeights)
    }

    /// Input features.
    package var inputSize: Int { layout == .inputMajor ? weight.shape[0] : weight.shape[1] }
    /// Output features.
    package var outputSize: Int { layout == .inputMajor ? weight.shape[1] : weight.shape[0] }

    /// x·W + b for x of shape [..., in]; returns [..., out]. O(rows·in·out).
    ///
    /// Differentiable: when `x`, the weight or the bias is tracked, the result is recorded
    /// (dX = G·Wᵀ; dW and db only for a tracked weight or bias, e.g. a watched parameter).
    package func callAsFunction(_ x: Tensor) -> Tensor {
        precondition(x.shape.last == inputSize, "Linear \(inputSize)->\(outputSize) applied to \(x.shape)")
        if x.link != nil || weight.link != nil || bias?.link != nil { return recordedCall(x) }
        let rows = x.count / inputSize
        var outShape = x.shape
        outShape[outShape.count - 1] = outputSize
        let (k, n) = (inputSize, outputSize)
        if let packedWeights {
            return Tensor(uncheckedShape: outShape) { out in
                x.withUnsafeBuffer { xs in
                    func run(_ b: UnsafePointer<Float>?) {
                        packedWeights.multiply(rows: rows, a: xs.baseAddress!, lda: k, bias: b, c: out.baseAddress!, ldc: n)
                    }
                    if let bias { bias.withUnsafeBuffer { run($0.baseAddress!) } } else { run(nil) }
                }
            }
        }
        return Tensor(uncheckedShape: outShape) { out in
            let o = out.baseAddress!
            var beta: Float = 0
            if let bias {
                bias.withUnsafeBuffer { b in
                    for r in 0..<rows { (o + r * n).update(from: b.baseAddress!, count: n) }
                }
                beta = 1
            }
            x.withUnsafeBuffer { xs in
                weight.withUnsafeBuffer { w in
                    GEMM.multiply(m: rows, n: n, k: k,
                                  a: xs.baseAddress!, lda: k,
                                  b: w.baseAddress!, ldb: layout == .inputMajor ? n : k,
                                  layout == .inputMajor ? .plain : .transposed,
                                  c: o, ldc: n, beta: beta)
                }
            }
        }
    }
}
