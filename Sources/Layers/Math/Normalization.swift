import SwiftSightCKernels

/// Normalisation over the last axis.
package struct LayerNorm: Sendable {
    /// Scale γ, one per feature.
    package let weight: Tensor
    /// Shift β, one per feature; nil for RMSNorm-style layers without one.
    package let bias: Tensor?
    /// Added to the variance before the square root.
    package let epsilon: Float

    /// A LayerNorm with `weight` (and `bias`) of shape [features].
    package init(weight: Tensor, bias: Tensor?, epsilon: Float) {
        self.weight = weight
        self.bias = bias
        self.epsilon = epsilon
    }

    /// (x - mean) / sqrt(var + ε) · γ + β over the last axis, like `torch.nn.LayerNorm`
    /// (biased variance, Float32 throughout). O(n).
    ///
    /// Differentiable: recorded when `x`, the weight or the bias is tracked (PyTorch's backward).
    package func callAsFunction(_ x: Tensor) -> Tensor {
        let d = weight.count
        // A model-code invariant, not a user error: the loader validates checkpoint shapes and the
        // model passes its own activations. Intervention code uses the throwing tensor operations.
        precondition(x.shape.last == d, "LayerNorm of width \(d) applied to \(x.shape)")
        if x.link != nil || weight.link != nil || bias?.link != nil { return recordedCall(x) }
        let (bias, epsilon) = (self.bias ?? Tensor.zeros(unchecked: [d]), self.epsilon)
        return Tensor(uncheckedShape: x.shape) { out in
            x.withUnsafeBuffer { xs in
                weight.withUnsafeBuffer { g in
                    bias.withUnsafeBuffer { b in
                        let (xp, op, gp, bp) = (xs.baseAddress!, out.baseAddress!, g.baseAddress, b.baseAddress)
                        Parallel.forRanges(x.count / d, costPerItem: 4 * d) { rows in
                            ss_layernorm(xp + rows.lowerBound * d, op + rows.lowerBound * d, rows.count, d, gp, bp, epsilon)
                        }
                    }
                }
            }
        }
    }
}
