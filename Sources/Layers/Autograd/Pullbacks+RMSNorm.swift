extension RMSNorm {
    /// The normalisation recorded. With r = rsqrt(mean(x²) + ε), n = x·r per row and
    /// γ = offset + w: dx = r · (g·γ − n · mean(g·γ·n)), dw = Σ_rows g·n.
    func recordedCall(_ x: Tensor) -> Tensor {
        let (xd, gamma) = (x.detached(), weight.detached())
        let result = RMSNorm(weight: gamma, epsilon: epsilon, weightOffset: weightOffset)(xd)
        let (d, eps, offset) = (gamma.count, epsilon, weightOffset)
        let rows = xd.count / Swift.max(d, 1)
        let (needX, needG) = (x.isTracked, weight.isTracked)
        return Tensor.recorded(result, from: [x, weight]) { g in
            var dx: Tensor? = nil
            var dg: Tensor? = nil
            if needX {
                dx = Tensor(uncheckedShape: xd.shape) { out in
                    xd.withUnsafeBuffer { xs in
                        g.withUnsafeBuffer { gs in
                            gamma.withUnsafeBuffer { gm in
                                let (xp, gp, op, wp) = (xs.baseAddress!, gs.baseAddress!, out.baseAddress!, gm.baseAddress!)
                                Parallel.forRanges(rows, costPerItem: 6 * d) { range in
                                    for r in range {
                                        let (xr, gr, o) = (xp + r * d, gp + r * d, op + r * d)
                                        let scale = RMSNorm.inverseRMS(xr, d, eps)
                                        var dot: Float = 0
                                        for j in 0..<d { dot += gr[j] * (offset + wp[j]) * xr[j] * scale }
                                        let mean = dot / Float(d)
                                        for j in 0..<d { o[j] = scale * (gr[j] * (offset + wp[j]) - xr[j] * scale * mean) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            if needG {
                var sum = [Float](repeating: 0, count: d)
                xd.withUnsafeBuffer { xs in
                    g.withUnsafeBuffer { gs in
                        for r in 0..<rows {
                            let (xr, gr) = (xs.baseAddress! + r * d, gs.baseAddress! + r * d)
                            let scale = RMSNorm.inverseRMS(xr, d, eps)
                            for j in 0..<d { sum[j] += gr[j] * xr[j] * scale }
                        }
                    }
                }
                dg = Tensor(uncheckedShape: gamma.shape, values: sum)
            }
            return [dx, dg]
        }
    }
}
