/// Root-mean-square normalisation over the last axis (Llama, Mistral, Qwen2):
/// x / sqrt(mean(x²) + ε) · γ, with no mean subtracted and no shift (γ = 1 + w for Gemma).
package struct RMSNorm: Sendable {
    /// Scale γ, one per feature.
    package let weight: Tensor
    /// Added to the mean square before the square root.
    package let epsilon: Float
    /// Added to every γ before it scales (Gemma's `x · (1 + w)`, the sum in Float32 as
    /// transformers' `GemmaRMSNorm` does): the checkpoint keeps w, so gradients are w's; 0
    /// elsewhere.
    package let weightOffset: Float

    /// An RMSNorm with `weight` of shape [features], scaling by `weightOffset` + weight.
    package init(weight: Tensor, epsilon: Float, weightOffset: Float = 0) {
        // A model-code invariant, not a user error: the loader validates checkpoint shapes and the
        // model passes its own activations. Intervention code uses the throwing tensor operations.
        precondition(weight.rank == 1, "RMSNorm weight must be rank 1, got \(weight.shape)")
        self.weight = weight
        self.epsilon = epsilon
        self.weightOffset = weightOffset
    }

    /// x · rsqrt(mean(x²) + ε) · γ over the last axis, Float32 throughout like Hugging Face's
    /// `LlamaRMSNorm` on Float32 weights. O(n).
    ///
    /// Differentiable: recorded when `x` or the weight is tracked.
    package func callAsFunction(_ x: Tensor) -> Tensor {
        let d = weight.count
        precondition(x.shape.last == d, "RMSNorm of width \(d) applied to \(x.shape)")
        if x.link != nil || weight.link != nil { return recordedCall(x) }
        let (epsilon, offset) = (self.epsilon, weightOffset)
        return Tensor(uncheckedShape: x.shape) { out in
            x.withUnsafeBuffer { xs in
                weight.withUnsafeBuffer { g in
                    let (xp, op, gp) = (xs.baseAddress!, out.baseAddress!, g.baseAddress!)
                    Parallel.forRanges(x.count / max(d, 1), costPerItem: 3 * d) { rows in
                        for r in rows {
                            let (src, dst) = (xp + r * d, op + r * d)
                            let scale = RMSNorm.inverseRMS(src, d, epsilon)
                            if offset == 0 {
                                for j in 0..<d { dst[j] = gp[j] * (src[j] * scale) }
                            } else {
                                for j in 0..<d { dst[j] = (src[j] * scale) * (offset + gp[j]) }
                            }
                        }
                    }
                }
            }
        }
    }

    /// 1 / sqrt(mean(x²) + ε) of one row.
    @inline(__always)
    static func inverseRMS(_ x: UnsafePointer<Float>, _ d: Int, _ epsilon: Float) -> Float {
        var sum: Float = 0
        for j in 0..<d { sum += x[j] * x[j] }
        return 1 / (sum / Float(d) + epsilon).squareRoot()
    }
}
