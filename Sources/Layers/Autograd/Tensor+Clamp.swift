extension Tensor {
    /// Every element clamped to [-bound, bound] (OLMo's `clip_qkv`, `torch.clamp`). O(n).
    ///
    /// Differentiable as in PyTorch: the gradient passes where -bound <= x <= bound, and is
    /// zero where the value was clipped.
    package func clamped(unchecked bound: Float) -> Tensor {
        let x = detached()
        let result = Tensor(uncheckedShape: shape) { out in
            x.withUnsafeBuffer { xs in
                for i in 0..<xs.count { out[i] = Swift.min(Swift.max(xs[i], -bound), bound) }
            }
        }
        guard isTracked else { return result }
        return Tensor.recorded(result, from: [self]) { g in
            let gradient = Tensor(uncheckedShape: x.shape) { dx in
                x.withUnsafeBuffer { xs in
                    g.withUnsafeBuffer { gs in
                        for i in 0..<xs.count { dx[i] = xs[i] >= -bound && xs[i] <= bound ? gs[i] : 0 }
                    }
                }
            }
            return [gradient]
        }
    }
}
