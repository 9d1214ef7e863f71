import Foundation
import SwiftSightCheckpoint
import SwiftSightLayers

extension JSONConfig {
    /// The rotary embedding a config describes, for heads of `headDim` features.
    ///
    /// Reads transformers 5's `rope_parameters` object, or the older `rope_scaling` object with
    /// a top-level `rope_theta`; GPT-NeoX's `rotary_emb_base` and `rotary_pct` are the
    /// base and partial factor of its older configs. Types `default`, `linear`, `llama3` and
    /// `yarn` are supported; any other (`dynamic` and `longrope`, whose frequencies depend on the
    /// sequence length) is an error naming the key.
    /// - Parameters:
    ///   - defaultPartialFactor: the fraction of each head rotated when the config does not say
    ///     (1 for Llama; 0.25 for GPT-NeoX, as in transformers).
    package func rotaryEmbedding(headDim: Int, maxPositions: Int, defaultPartialFactor: Double = 1) throws(CheckpointError) -> RotaryEmbedding {
        let (parameters, key): (JSONConfig?, String) = if let p = try optionalObject("rope_parameters") {
            (p, "rope_parameters")
        } else {
            (try optionalObject("rope_scaling"), "rope_scaling")
        }
        return try rotaryEmbedding(parameters: parameters, key: key,
                                   bases: [(parameters, "rope_theta"), (self, "rope_theta"), (self, "rotary_emb_base")],
                                   defaultBase: 10_000, headDim: headDim, maxPositions: maxPositions,
                                   defaultPartialFactor: defaultPartialFactor)
    }

    /// The rotary embedding of one `rope_parameters`-style object (`parameters`, named `key` in
    /// errors; nil for unscaled), its base the first of `bases` present, else `defaultBase`.
    /// Gemma 3 reads one per layer type (`rope_parameters.full_attention`, `.sliding_attention`).
    package func rotaryEmbedding(parameters: JSONConfig?, key: String, bases: [(JSONConfig?, String)], defaultBase: Double,
                                 headDim: Int, maxPositions: Int, defaultPartialFactor: Double = 1) throws(CheckpointError) -> RotaryEmbedding {
        // The first spelling present, and which one it was, so errors name the key read.
        func firstDouble(_ lookups: [(JSONConfig?, String)]) throws(CheckpointError) -> (value: Double, config: JSONConfig, key: String)? {
            for case let (config?, key) in lookups { if let v = try config.optionalDouble(key) { return (v, config, key) } }
            return nil
        }
        var base = defaultBase
        if let found = try firstDouble(bases) {
            guard found.value.isFinite, found.value > 0 else { throw found.config.invalid(found.key, found.value, "must be a finite positive number") }
            base = found.value
        }
        var type = "default"
        if let t = try parameters?.optionalString("rope_type") { type = t } else if let t = try parameters?.optionalString("type") { type = t }
        let scaling: RotaryEmbedding.Scaling
        switch type {
        case "default":
            scaling = .none
        case "linear":
            guard let p = parameters else { throw invalid(key, "null", "linear rope scaling needs its factor") }
            scaling = .linear(factor: try p.positiveDouble("factor"))
        case "llama3":
            guard let p = parameters else { throw invalid(key, "null", "llama3 rope scaling needs its parameters") }
            let (factor, low, high) = (try p.positiveDouble("factor"), try p.positiveDouble("low_freq_factor"),
                                       try p.positiveDouble("high_freq_factor"))
            let original = try p.positiveInt("original_max_position_embeddings", default: maxPositions)
            guard high > low else { throw p.invalid("high_freq_factor", high, "must exceed low_freq_factor \(low)") }
            scaling = .llama3(factor: factor, lowFrequencyFactor: low, highFrequencyFactor: high, originalMaxPositions: original)
        case "yarn":
            guard let p = parameters else { throw invalid(key, "null", "yarn rope scaling needs its parameters") }
            scaling = try p.yarnScaling(maxPositions: maxPositions)
        default:
            throw invalid(key + ".rope_type", type, "supported rope types: default, linear, llama3, yarn")
        }
        let dimension = try rotaryDimension(parameters: parameters, headDim: headDim, defaultPartialFactor: defaultPartialFactor)
        return RotaryEmbedding(rotaryDimension: dimension, base: base, scaling: scaling)
    }

    /// The number of features of each `headDim`-wide head that are rotated:
    /// transformers' `int(head_dim * partial_rotary_factor)`, the factor checked to lie in
    /// (0, 1] before any conversion, so `1e300` is an error naming its key, not a trap.
    func rotaryDimension(parameters: JSONConfig?, headDim: Int, defaultPartialFactor: Double) throws(CheckpointError) -> Int {
        for case let (config?, key) in [(parameters, "partial_rotary_factor"), (self, "partial_rotary_factor"), (self, "rotary_pct")] {
            guard let partial = try config.optionalDouble(key) else { continue }
            let reason = "must be a fraction in (0, 1] that rotates an even number (at least 2) of the \(headDim) features of a head"
            guard partial.isFinite, partial > 0, partial <= 1,
                  let dimension = Int(exactly: (Double(headDim) * partial).rounded(.towardZero)),
                  dimension >= 2, dimension % 2 == 0, dimension <= headDim
            else { throw config.invalid(key, partial, reason) }
            return dimension
        }
        // The architecture's default factor (1, or GPT-NeoX's 0.25) of a head already checked positive.
        let dimension = Int(exactly: (Double(headDim) * defaultPartialFactor).rounded(.towardZero)) ?? headDim
        guard dimension >= 2, dimension % 2 == 0, dimension <= headDim else {
            throw invalid("partial_rotary_factor", defaultPartialFactor,
                          "(the default) must rotate an even number of the \(headDim) features of a head; set it in config.json")
        }
        return dimension
    }
}

extension JSONConfig {
    /// YaRN's parameters (this config being the `rope_parameters` or `rope_scaling` object, so
    /// errors name `rope_parameters.beta_slow`) as transformers 5 reads them: `factor` (or max_position_embeddings /
    /// original_max_position_embeddings when null), `original_max_position_embeddings` (default
    /// max_position_embeddings), `beta_fast` 32, `beta_slow` 1, `truncate` true, and
    /// `attention_factor`, else 0.1·ln(factor) + 1 (or the `mscale` / `mscale_all_dim` ratio).
    func yarnScaling(maxPositions: Int) throws(CheckpointError) -> RotaryEmbedding.Scaling {
        let original = try positiveInt("original_max_position_embeddings", default: maxPositions)
        let factor = contains("factor") ? try positiveDouble("factor") : Double(maxPositions) / Double(original)
        // transformers: `get("beta_fast") or 32`, so 0 means the default too.
        let betaFast = try finiteDouble("beta_fast", default: 32)
        let betaSlow = try finiteDouble("beta_slow", default: 1)
        guard betaFast >= 0 else { throw invalid("beta_fast", betaFast, "must be positive") }
        guard betaSlow >= 0 else { throw invalid("beta_slow", betaSlow, "must be positive") }
        func mscale(_ scale: Double, _ m: Double = 1) -> Double { scale <= 1 ? 1 : 0.1 * m * Foundation.log(scale) + 1 }
        var attentionFactor: Double
        if contains("attention_factor") {
            attentionFactor = try positiveDouble("attention_factor")
        } else {
            let (m, all) = (try finiteDouble("mscale", default: 0), try finiteDouble("mscale_all_dim", default: 0))
            attentionFactor = m != 0 && all != 0 ? mscale(factor, m) / mscale(factor, all) : mscale(factor)
        }
        guard attentionFactor.isFinite, Float(attentionFactor).isFinite, attentionFactor > 0 else {
            throw invalid("attention_factor", attentionFactor, "the attention factor (from mscale and mscale_all_dim) must be a finite positive number")
        }
        return .yarn(factor: factor, originalMaxPositions: original, betaFast: betaFast == 0 ? 32 : betaFast,
                     betaSlow: betaSlow == 0 ? 1 : betaSlow, truncate: try optionalBool("truncate") ?? true,
                     attentionFactor: attentionFactor)
    }
}
