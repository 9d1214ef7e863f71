import Checkpoint
import Layers

extension JSONConfig {
    /// The rotary embedding a config describes, for heads of `headDim` features.
    ///
    /// Reads transformers 5's `rope_parameters` object, or the older `rope_scaling` object with
    /// a top-level `rope_theta`; GPT-NeoX's `rotary_emb_base` and `rotary_pct` are the
    /// base and partial factor of its older configs. Types `default`, `linear` and `llama3`
    /// are supported; any other is an error naming the key.
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
        default:
            throw invalid(key + ".rope_type", type, "supported rope types: default, linear, llama3")
        }
        if case .linear(let factor) = scaling, factor <= 0 { throw invalid(key + ".factor", factor, "must be positive") }
        if case .llama3(let factor, _, _, _) = scaling, factor <= 0 { throw invalid(key + ".factor", factor, "must be positive") }
        guard base > 0 else { throw invalid("rope_theta", base, "must be positive") }
        // transformers truncates: int(head_dim * partial_rotary_factor).
        let dimension = Int(Double(headDim) * partial)
        guard partial > 0, partial <= 1, dimension >= 2, dimension % 2 == 0 else {
            throw invalid("partial_rotary_factor", partial, "must rotate an even number of the \(headDim) features of a head")
        }
        return RotaryEmbedding(rotaryDimension: dimension, base: base, scaling: scaling)
    }
}
