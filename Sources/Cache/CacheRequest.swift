import SwiftSightHooks

/// Which modules a trace caches, by name.
public struct CacheRequest: Sendable, Equatable {
    /// Module names: original paths (`model.transformer.h.0`, `transformer.h.0.attn`) or the
    /// standardized aliases (`layers.0`, `attentions.0`, `mlps.0`, `embed_tokens`, `ln_final`,
    /// `lm_head`). Nil means every layer.
    package var modules: [String]?
    /// Whether to record inputs too (layers, attention and MLP inputs).
    package var includeInputs: Bool
    /// Whether a cache missing modules that a `stop()` kept the forward pass from reaching is
    /// acceptable. By default it is an error (``CacheError/stoppedBeforeCached(missing:stoppedAfter:)``),
    /// so a cache never silently lacks a module it was asked for.
    package var allowPartial: Bool

    /// Caches `modules` (outputs, and inputs if asked). With `allowPartial`, a `stop()` before
    /// some of them returns the cache of those reached instead of failing.
    public static func modules(_ modules: [String], inputs: Bool = false, allowPartial: Bool = false) -> CacheRequest {
        CacheRequest(modules: modules, includeInputs: inputs, allowPartial: allowPartial)
    }

    /// Caches the output (and optionally input) of every layer. With `allowPartial`, a `stop()`
    /// returns the layers reached instead of failing.
    public static func allLayers(inputs: Bool = false, allowPartial: Bool = false) -> CacheRequest {
        CacheRequest(modules: nil, includeInputs: inputs, allowPartial: allowPartial)
    }

    /// The hook points to record for a model with `layers` blocks.
    /// - Throws: ``HookNameError`` naming a module that does not exist.
    package func points(naming: ModuleNaming, layers: Int) throws(HookNameError) -> Set<HookPoint> {
        guard let modules else {
            return Set((0..<layers).flatMap { includeInputs ? [.layerOutput($0), .layerInput($0)] : [HookPoint.layerOutput($0)] })
        }
        var points = Set<HookPoint>()
        for name in modules {
            let output = try naming.resolve(naming.originalPath(forAlias: name), layers: layers)
            points.insert(output)
            if includeInputs, let input = output.inputCounterpart { points.insert(input) }
        }
        return points
    }
}

extension HookPoint {
    /// The input point of the same module, for module outputs that have one.
    var inputCounterpart: HookPoint? {
        switch self {
        case .layerOutput(let i): .layerInput(i)
        case .attentionOutput(let i): .attentionInput(i)
        case .mlpOutput(let i): .mlpInput(i)
        default: nil
        }
    }
}
