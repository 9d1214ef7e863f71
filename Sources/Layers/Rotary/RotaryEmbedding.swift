import Foundation

/// Rotary position embeddings (RoPE) in Hugging Face's `rotate_half` layout, shared by Llama,
/// Mistral, Qwen2 and GPT-NeoX.
///
/// In each head, the first ``rotaryDimension`` features are rotated: feature i and
/// i + rotaryDimension/2 form a pair turned by the angle position · θᵢ (θ the
/// ``inverseFrequencies``); the remaining features (GPT-NeoX's partial rotary) pass through.
/// GPT-J pairs neighbours instead (``Layout/interleaved``).
package struct RotaryEmbedding: Sendable, Equatable {
    /// Which features of a head form the rotated pairs.
    package enum Layout: Sendable, Equatable {
        /// Feature i with i + rotaryDimension/2 (transformers' `rotate_half`: Llama, GPT-NeoX, …).
        case halfSplit
        /// Feature 2i with 2i + 1 (transformers' `rotate_every_two`: GPT-J), pair i turned by θᵢ.
        case interleaved
    }

    /// How the base frequencies are rescaled for longer contexts (`rope_scaling` /
    /// `rope_parameters.rope_type`).
    package enum Scaling: Sendable, Equatable {
        /// `default`: θᵢ = base^(-2i/dim).
        case none
        /// `linear`: every θᵢ divided by `factor` (positions interpolated).
        case linear(factor: Double)
        /// `llama3` (Llama 3.1): wavelengths above original/lowFrequencyFactor are divided by
        /// `factor`, those below original/highFrequencyFactor kept, and the band between
        /// interpolated smoothly.
        case llama3(factor: Double, lowFrequencyFactor: Double, highFrequencyFactor: Double, originalMaxPositions: Int)
        /// `yarn` (YaRN; Qwen2.5's long-context configs, DeepSeek): low frequencies divided by
        /// `factor`, high ones kept, a linear ramp between the dimensions that make `betaSlow` and
        /// `betaFast` rotations over `originalMaxPositions` (rounded outwards when `truncate`);
        /// cos and sin are multiplied by `attentionFactor`.
        case yarn(factor: Double, originalMaxPositions: Int, betaFast: Double, betaSlow: Double, truncate: Bool,
                  attentionFactor: Double)
    }

    /// Where the frequencies come from: given outright, or the formula of a config.
    enum Frequencies: Sendable, Equatable {
        case given([Float], attentionScaling: Float)
        case formula(dimension: Int, base: Double, scaling: Scaling)
    }

    /// What this embedding is made of. Built from a config, only the parameters are stored,
    /// so reading a config allocates nothing sized by it: a config's `head_dim` is checked
    /// against the checkpoint's tensors only after the config is read, and a huge one must not
    /// cost minutes and gigabytes before that check can refuse it. The model then calls
    /// ``resolved()`` once; an unresolved embedding computes its frequencies on every use.
    let frequencies: Frequencies
    /// Which features are paired; half-split unless a model asks otherwise.
    package let layout: Layout

    /// θᵢ for each rotated pair, rotaryDimension/2 of them.
    package var inverseFrequencies: [Float] {
        switch frequencies {
        case .given(let theta, _): theta
        case let .formula(dimension, base, scaling): Self.inverseFrequencies(dimension: dimension, base: base, scaling: scaling)
        }
    }

    /// What cos and sin are multiplied by (YaRN's attention factor; 1 otherwise).
    package var attentionScaling: Float {
        switch frequencies {
        case .given(_, let scale): scale
        case .formula(_, _, .yarn(_, _, _, _, _, let attentionFactor)): Float(attentionFactor)
        case .formula: 1
        }
    }

    /// Features per head that are rotated (even; at most the head size).
    package var rotaryDimension: Int {
        switch frequencies {
        case .given(let theta, _): 2 * theta.count
        case .formula(let dimension, _, _): dimension
        }
    }

    /// Rotation with the given frequencies, cos and sin multiplied by `attentionScaling`.
    package init(inverseFrequencies: [Float], attentionScaling: Float = 1, layout: Layout = .halfSplit) {
        frequencies = .given(inverseFrequencies, attentionScaling: attentionScaling)
        self.layout = layout
    }

    /// The frequencies of `rotaryDimension` rotated features, base `base`, with `scaling`:
    /// the formulas of `transformers.modeling_rope_utils` (computed in Double, rounded to Float).
    /// Nothing is computed until a forward pass asks.
    package init(rotaryDimension dim: Int, base: Double, scaling: Scaling = .none, layout: Layout = .halfSplit) {
        // A model-code invariant, not a user error: the loader validates checkpoint shapes and the
        // model passes its own activations. Intervention code uses the throwing tensor operations.
        precondition(dim > 0 && dim % 2 == 0, "rotary dimension \(dim) must be positive and even")
        frequencies = .formula(dimension: dim, base: base, scaling: scaling)
        self.layout = layout
    }

    /// The same rotation with its frequencies computed now, so a forward pass does not
    /// recompute them on every call (a model calls this once its tensors have confirmed the
    /// config's head size).
    package func resolved() -> RotaryEmbedding {
        guard case .formula = frequencies else { return self }
        return RotaryEmbedding(inverseFrequencies: inverseFrequencies, attentionScaling: attentionScaling, layout: layout)
    }

    /// θᵢ of `dim` rotated features by transformers' formulas.
    static func inverseFrequencies(dimension dim: Int, base: Double, scaling: Scaling) -> [Float] {
        var theta = stride(from: 0, to: dim, by: 2).map { 1 / pow(base, Double($0) / Double(dim)) }
        switch scaling {
        case .none: break
        case .linear(let factor): theta = theta.map { $0 / factor }
        case let .llama3(factor, low, high, original):
            let (lowWavelength, highWavelength) = (Double(original) / low, Double(original) / high)
            theta = theta.map { f in
                let wavelength = 2 * Double.pi / f
                if wavelength < highWavelength { return f }
                if wavelength > lowWavelength { return f / factor }
                let smooth = (Double(original) / wavelength - low) / (high - low)
                return (1 - smooth) * f / factor + smooth * f
            }
        case let .yarn(factor, original, betaFast, betaSlow, truncate, _):
            let ramp = Self.yarnRamp(dimension: dim, base: base, originalMaxPositions: original,
                                     betaFast: betaFast, betaSlow: betaSlow, truncate: truncate)
            // Weight 1 keeps θᵢ (extrapolation), 0 divides it by the factor (interpolation).
            theta = zip(theta, ramp).map { f, keep in f / factor * (1 - keep) + f * keep }
        }
        return theta.map { Float($0) }
    }

    /// YaRN's per-pair weight of the unscaled frequency: 1 below the dimension that makes
    /// `betaFast` rotations over the original context, 0 above the one that makes `betaSlow`,
    /// linear between (`transformers.modeling_rope_utils._compute_yarn_parameters`).
    static func yarnRamp(dimension dim: Int, base: Double, originalMaxPositions original: Int,
                         betaFast: Double, betaSlow: Double, truncate: Bool) -> [Double] {
        func correctionDimension(_ rotations: Double) -> Double {
            Double(dim) * Foundation.log(Double(original) / (rotations * 2 * Double.pi)) / (2 * Foundation.log(base))
        }
        var (low, high) = (correctionDimension(betaFast), correctionDimension(betaSlow))
        if truncate { (low, high) = (low.rounded(.down), high.rounded(.up)) }
        (low, high) = (Swift.max(low, 0), Swift.min(high, Double(dim - 1)))
        if low == high { high += 0.001 }  // as transformers: no division by zero
        return (0..<(dim / 2)).map { i in 1 - Swift.min(Swift.max((Double(i) - low) / (high - low), 0), 1) }
    }

    /// `x` ([rows, heads · headDim], row r at position `positions[r]`) with every head rotated.
    /// O(rows · heads · rotaryDimension).
    ///
    /// Differentiable: the pullback is the inverse rotation (the same angles negated).
    package func callAsFunction(_ x: Tensor, positions: [Int], heads: Int) -> Tensor {
        precondition(x.rank == 2 && x.shape[0] == positions.count && heads > 0 && x.shape[1] % heads == 0
                     && x.shape[1] / heads >= rotaryDimension,
                     "rotary embedding of \(rotaryDimension) features per head on \(x.shape) with \(heads) heads and \(positions.count) positions")
        let table = angles(positions, inverseFrequencies, attentionScaling)
        let rotate = layout == .halfSplit ? Self.rotate : Self.rotateInterleaved
        let result = rotate(x.detached(), table, heads, 1)
        guard x.isTracked else { return result }
        return Tensor.recorded(result, from: [x]) { g in [rotate(g, table, heads, -1)] }
    }

    /// cos and sin of position · θᵢ per row, [rows · half] each; angles in Float32 like torch.
    func angles(_ positions: [Int], _ inverseFrequencies: [Float], _ attentionScaling: Float) -> (cos: [Float], sin: [Float]) {
        let half = inverseFrequencies.count
        var (c, s) = ([Float](repeating: 0, count: positions.count * half), [Float](repeating: 0, count: positions.count * half))
        for (r, p) in positions.enumerated() {
            for i in 0..<half {
                let angle = Float(p) * inverseFrequencies[i]
                (c[r * half + i], s[r * half + i]) = (Foundation.cos(angle) * attentionScaling,
                                                      Foundation.sin(angle) * attentionScaling)
            }
        }
        return (c, s)
    }

    /// Each head's pairs (a, b) = (x[i], x[i + half]) turned to (a·cos − b·sin·sign, b·cos + a·sin·sign).
    static func rotate(_ x: Tensor, _ table: (cos: [Float], sin: [Float]), heads: Int, sign: Float) -> Tensor {
        let (rows, width) = (x.shape[0], x.shape[1])
        let headDim = width / heads
        let half = table.cos.count / max(rows, 1)
        var out = x.detached()
        out.withUnsafeMutableBuffer { o in
            table.cos.withUnsafeBufferPointer { cs in
                table.sin.withUnsafeBufferPointer { ss in
                    let (op, cp, sp) = (o.baseAddress!, cs.baseAddress!, ss.baseAddress!)
                    Parallel.forRanges(rows, costPerItem: 4 * heads * half) { range in
                        for r in range {
                            let (c, s) = (cp + r * half, sp + r * half)
                            for h in 0..<heads {
                                let v = op + r * width + h * headDim
                                for i in 0..<half {
                                    let (a, b, sine) = (v[i], v[i + half], sign * s[i])
                                    v[i] = a * c[i] - b * sine
                                    v[i + half] = b * c[i] + a * sine
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// Each head's pairs (a, b) = (x[2i], x[2i + 1]) turned to (a·cos − b·sin·sign, b·cos + a·sin·sign):
    /// GPT-J's `rotate_every_two`, the same angles as ``rotate(_:_:heads:sign:)``.
    static func rotateInterleaved(_ x: Tensor, _ table: (cos: [Float], sin: [Float]), heads: Int, sign: Float) -> Tensor {
        let (rows, width) = (x.shape[0], x.shape[1])
        let headDim = width / heads
        let half = table.cos.count / max(rows, 1)
        var out = x.detached()
        out.withUnsafeMutableBuffer { o in
            table.cos.withUnsafeBufferPointer { cs in
                table.sin.withUnsafeBufferPointer { ss in
                    let (op, cp, sp) = (o.baseAddress!, cs.baseAddress!, ss.baseAddress!)
                    Parallel.forRanges(rows, costPerItem: 4 * heads * half) { range in
                        for r in range {
                            let (c, s) = (cp + r * half, sp + r * half)
                            for h in 0..<heads {
                                let v = op + r * width + h * headDim
                                for i in 0..<half {
                                    let (a, b, sine) = (v[2 * i], v[2 * i + 1], sign * s[i])
                                    v[2 * i] = a * c[i] - b * sine
                                    v[2 * i + 1] = b * c[i] + a * sine
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }
}
