/// Normalisation over the last axis.
public struct LayerNorm: Sendable {
    /// Scale γ, one per feature.
    public let weight: Tensor
    /// Shift β, one per feature; nil for RMSNorm-style layers without one.
    public let bias: Tensor?
    /// Added to the variance before the square root.
    public let epsilon: Float

    /// A LayerNorm with `weight` (and `bias`) of shape [features].
    public init(weight: Tensor, bias: Tensor?, epsilon: Float) {
        self.weight = weight
        self.bias = bias
        self.epsilon = epsilon
    }

    /// (x - mean) / sqrt(var + ε) · γ + β over the last axis, like `torch.nn.LayerNorm`
    /// (biased variance, Float32 throughout). O(n).
    public func callAsFunction(_ x: Tensor) -> Tensor {
        let d = weight.count
        precondition(x.shape.last == d, "LayerNorm of width \(d) applied to \(x.shape)")
        let rows = x.count / d
        return Tensor(uninitializedShape: x.shape) { out in
            x.withUnsafeBuffer { xs in
                weight.withUnsafeBuffer { g in
                    let b = bias
                    for r in 0..<rows {
                        let row = xs.baseAddress! + r * d
                        let o = out.baseAddress! + r * d
                        var mean: Float = 0
                        for i in 0..<d { mean += row[i] }
                        mean /= Float(d)
                        var variance: Float = 0
                        for i in 0..<d { let c = row[i] - mean; variance += c * c }
                        let inv = 1 / (variance / Float(d) + epsilon).squareRoot()
                        for i in 0..<d { o[i] = (row[i] - mean) * inv * g[i] }
                        if let b {
                            b.withUnsafeBuffer { bs in for i in 0..<d { o[i] += bs[i] } }
                        }
                    }
                }
            }
        }
    }
}
