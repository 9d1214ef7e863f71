/// An affine map y = x·W + b over the last axis, computed with one `cblas_sgemm`.
///
/// Checkpoints store W two ways: Hugging Face's GPT-2 `Conv1D` keeps it as [in, out],
/// `torch.nn.Linear` as [out, in]. Both are used as stored; GEMM transposes on the fly.
public struct Linear: Sendable {
    /// How the weight matrix is laid out in memory.
    public enum Layout: Sendable {
        /// [in, out], as in GPT-2's Conv1D.
        case inputMajor
        /// [out, in], as in `torch.nn.Linear` (and a tied embedding used as the output head).
        case outputMajor
    }

    /// The weight, in `layout`.
    public let weight: Tensor
    /// The bias, [out], if any.
    public let bias: Tensor?
    /// The layout of `weight`.
    public let layout: Layout

    /// A linear layer; `weight` must be rank 2 and `bias` (if any) as long as the output.
    public init(weight: Tensor, bias: Tensor?, layout: Layout) {
        precondition(weight.rank == 2, "Linear weight must be rank 2, got \(weight.shape)")
        self.weight = weight
        self.bias = bias
        self.layout = layout
        if let bias { precondition(bias.count == outputSize, "Linear bias \(bias.shape) for output \(outputSize)") }
    }

    /// Input features.
    public var inputSize: Int { layout == .inputMajor ? weight.shape[0] : weight.shape[1] }
    /// Output features.
    public var outputSize: Int { layout == .inputMajor ? weight.shape[1] : weight.shape[0] }

    /// x·W + b for x of shape [..., in]; returns [..., out]. O(rows·in·out).
    ///
    /// Differentiable: when `x`, the weight or the bias is tracked, the result is recorded
    /// (dX = G·Wᵀ; dW and db only for a tracked weight or bias, e.g. a watched parameter).
    public func callAsFunction(_ x: Tensor) -> Tensor {
        precondition(x.shape.last == inputSize, "Linear \(inputSize)->\(outputSize) applied to \(x.shape)")
        if x.link != nil || weight.link != nil || bias?.link != nil { return recordedCall(x) }
        let rows = x.count / inputSize
        var outShape = x.shape
        outShape[outShape.count - 1] = outputSize
        let (k, n) = (inputSize, outputSize)
        return Tensor(uninitializedShape: outShape) { out in
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
