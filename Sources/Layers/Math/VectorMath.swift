/// Vectorised transcendental functions for the element-wise layers.
///
/// glibc's scalar `tanhf`/`expf` cost 5–10 ns each, which for GPT-2 small's MLP (128 × 3072
/// activations per layer) would add tens of milliseconds to a forward pass. These run 16 lanes
/// at a time; `exp` has a relative error below 2e-7 on the range used, far inside the 1e-4
/// budget against Hugging Face (see Docs/Numerics.md).
public enum VectorMath {
    public typealias Lanes = SIMD16<Float>

    @inlinable @inline(__always)
    static func splat(_ x: Float) -> Lanes { Lanes(repeating: x) }

    /// e^x for each lane; inputs below -87.3 give 0, above 88.7 give +inf.
    @inlinable @inline(__always)
    public static func exp(_ x: Lanes) -> Lanes {
        let lo: Lanes = splat(-87.33), hi: Lanes = splat(88.72)
        let clamped: Lanes = x.clamped(lowerBound: lo, upperBound: hi)
        // x = n·ln2 + r, |r| <= ln2/2; ln2 split in two so n·ln2 is exact.
        let scaled: Lanes = clamped * splat(1.442695041)
        let n: Lanes = scaled.rounded(.toNearestOrEven)
        var r: Lanes = clamped - n * splat(0.693359375)
        r = r + n * splat(2.12194440e-4)
        // Minimax polynomial for e^r on [-ln2/2, ln2/2] (Cephes expf).
        var p: Lanes = splat(1.9875691500e-4)
        p = p * r + splat(1.3981999507e-3)
        p = p * r + splat(8.3334519073e-3)
        p = p * r + splat(4.1665795894e-2)
        p = p * r + splat(1.6666665459e-1)
        p = p * r + splat(5.0000001201e-1)
        let r2: Lanes = r * r
        let er: Lanes = p * r2 + r + splat(1)
        // 2^n through the exponent bits.
        let exponent: SIMD16<Int32> = SIMD16<Int32>(n) &+ SIMD16<Int32>(repeating: 127)
        let twoToN: Lanes = unsafeBitCast(exponent &<< SIMD16<Int32>(repeating: 23), to: Lanes.self)
        var result: Lanes = er * twoToN
        result.replace(with: splat(.infinity), where: x .> hi)
        result.replace(with: splat(0), where: x .< lo)
        return result
    }

    /// tanh(x) = 1 - 2 / (e^{2x} + 1), with the odd series near 0 where that form loses digits.
    @inlinable @inline(__always)
    public static func tanh(_ x: Lanes) -> Lanes {
        let bounded: Lanes = x.clamped(lowerBound: splat(-20), upperBound: splat(20))
        let e: Lanes = exp(bounded + bounded)
        var t: Lanes = splat(1) - splat(2) / (e + splat(1))
        let x2: Lanes = x * x
        var series: Lanes = x2 * splat(-17.0 / 315) + splat(2.0 / 15)
        series = series * x2 + splat(-1.0 / 3)
        series = x * (series * x2 + splat(1))
        let magnitude: Lanes = x.replacing(with: -x, where: x .< splat(0))
        t.replace(with: series, where: magnitude .< splat(0.05))
        return t
    }

    /// erf(x), through the Numerical Recipes erfc fit (fractional error below 1.2e-7).
    @inlinable @inline(__always)
    public static func erf(_ x: Lanes) -> Lanes {
        let z: Lanes = x.replacing(with: -x, where: x .< splat(0))
        let t: Lanes = splat(1) / (splat(1) + splat(0.5) * z)
        var poly: Lanes = splat(0.17087277)
        poly = poly * t + splat(-0.82215223)
        poly = poly * t + splat(1.48851587)
        poly = poly * t + splat(-1.13520398)
        poly = poly * t + splat(0.27886807)
        poly = poly * t + splat(-0.18628806)
        poly = poly * t + splat(0.09678418)
        poly = poly * t + splat(0.37409196)
        poly = poly * t + splat(1.00002368)
        poly = poly * t + splat(-1.26551223)
        let erfc: Lanes = t * exp(poly - z * z)
        var r: Lanes = splat(1) - erfc
        r.replace(with: -r, where: x .< splat(0))
        return r
    }
}

/// Applies `body` to `count` floats 16 at a time, padding the tail.
@inlinable @inline(__always)
func forEachLanes(_ p: UnsafeMutablePointer<Float>, count: Int, _ body: (VectorMath.Lanes) -> VectorMath.Lanes) {
    var i = 0
    while i + 16 <= count {
        let v = UnsafeRawPointer(p + i).loadUnaligned(as: VectorMath.Lanes.self)
        UnsafeMutableRawPointer(p + i).storeBytes(of: body(v), as: VectorMath.Lanes.self)
        i += 16
    }
    if i < count {
        var v = VectorMath.Lanes()
        for j in 0..<(count - i) { v[j] = p[i + j] }
        let r = body(v)
        for j in 0..<(count - i) { p[i + j] = r[j] }
    }
}
