import Foundation
import Checkpoint
import Layers

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
    public func rotaryEmbedding(headDim: Int, maxPositions: Int, defaultPartialFactor: Double = 1) throws(CheckpointError) -> RotaryEmbedding {
        let (parameters, key): (JSONConfig?, String) = if let p = try optionalObject("rope_parameters") {
            (p, "rope_parameters")
        } else {
            (try optionalObject("rope_scaling"), "rope_scaling")
        }
        // `??` would rethrow untyped errors; look the spellings up one by one.
        func firstDouble(_ lookups: [(JSONConfig?, String)]) throws(CheckpointError) -> Double? {
            for (config, key) in lookups { if let v = try config?.optionalDouble(key) { return v } }
            return nil
        }
        let base = try firstDouble([(parameters, "rope_theta"), (self, "rope_theta"), (self, "rotary_emb_base")]) ?? 10_000
        let partial = try firstDouble([(parameters, "partial_rotary_factor"), (self, "partial_rotary_factor"),
                                       (self, "rotary_pct")]) ?? defaultPartialFactor
        var type = "default"
        if let t = try parameters?.optionalString("rope_type") { type = t } else if let t = try parameters?.optionalString("type") { type = t }
        let scaling: RotaryEmbedding.Scaling
        switch type {
        case "default":
            scaling = .none
        case "linear":
            guard let p = parameters else { throw invalid(key, "null", "linear rope scaling needs its factor") }
            scaling = .linear(factor: try p.double("factor"))
        case "llama3":
            guard let p = parameters else { throw invalid(key, "null", "llama3 rope scaling needs its parameters") }
            let (factor, low, high) = (try p.double("factor"), try p.double("low_freq_factor"), try p.double("high_freq_factor"))
            let original = try p.int("original_max_position_embeddings", default: maxPositions)
            guard high > low else { throw p.invalid("high_freq_factor", high, "must exceed low_freq_factor \(low)") }
            scaling = .llama3(factor: factor, lowFrequencyFactor: low, highFrequencyFactor: high, originalMaxPositions: original)
        case "yarn":
            guard let p = parameters else { throw invalid(key, "null", "yarn rope scaling needs its parameters") }
            scaling = try p.yarnScaling(maxPositions: maxPositions)
        default:
            throw invalid(key + ".rope_type", type, "supported rope types: default, linear, llama3, yarn")
        }
        if case .linear(let factor) = scaling, factor <= 0 { throw invalid(key + ".factor", factor, "must be positive") }
        if case .llama3(let factor, _, _, _) = scaling, factor <= 0 { throw invalid(key + ".factor", factor, "must be positive") }
        if case .yarn(let factor, _, _, _, _, _) = scaling, factor <= 0 { throw invalid(key + ".factor", factor, "must be positive") }
        guard base > 0 else { throw invalid("rope_theta", base, "must be positive") }
        // transformers truncates: int(head_dim * partial_rotary_factor).
        let dimension = Int(Double(headDim) * partial)
        guard partial > 0, partial <= 1, dimension >= 2, dimension % 2 == 0 else {
            throw invalid("partial_rotary_factor", partial, "must rotate an even number of the \(headDim) features of a head")
        }
        return RotaryEmbedding(rotaryDimension: dimension, base: base, scaling: scaling)
    }
}

extension JSONConfig {
    /// YaRN's parameters (this config being the `rope_parameters` or `rope_scaling` object, so
    /// errors name `rope_parameters.beta_slow`) as transformers 5 reads them: `factor` (or max_position_embeddings /
    /// original_max_position_embeddings when null), `original_max_position_embeddings` (default
    /// max_position_embeddings), `beta_fast` 32, `beta_slow` 1, `truncate` true, and
    /// `attention_factor`, else 0.1·ln(factor) + 1 (or the `mscale` / `mscale_all_dim` ratio).
    func yarnScaling(maxPositions: Int) throws(CheckpointError) -> RotaryEmbedding.Scaling {
        let original = try int("original_max_position_embeddings", default: maxPositions)
        guard original > 0 else { throw invalid("original_max_position_embeddings", original, "must be positive") }
        let factor = try optionalDouble("factor") ?? Double(maxPositions) / Double(original)
        // transformers: `get("beta_fast") or 32`, so 0 means the default too.
        let betaFast = try optionalDouble("beta_fast").flatMap { $0 == 0 ? nil : $0 } ?? 32
        let betaSlow = try optionalDouble("beta_slow").flatMap { $0 == 0 ? nil : $0 } ?? 1
        guard betaFast > 0 else { throw invalid("beta_fast", betaFast, "must be positive") }
        guard betaSlow > 0 else { throw invalid("beta_slow", betaSlow, "must be positive") }
        func mscale(_ scale: Double, _ m: Double = 1) -> Double { scale <= 1 ? 1 : 0.1 * m * Foundation.log(scale) + 1 }
        var attentionFactor = try optionalDouble("attention_factor")
        if attentionFactor == nil {
            if let m = try optionalDouble("mscale"), let all = try optionalDouble("mscale_all_dim"), m != 0, all != 0 {
                attentionFactor = mscale(factor, m) / mscale(factor, all)
            } else {
                attentionFactor = mscale(factor)
            }
        }
        return .yarn(factor: factor, originalMaxPositions: original, betaFast: betaFast, betaSlow: betaSlow,
                     truncate: try optionalBool("truncate") ?? true, attentionFactor: attentionFactor ?? 1)
    }
}
