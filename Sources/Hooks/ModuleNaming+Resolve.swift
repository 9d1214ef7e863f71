import Foundation

/// A hook point name that does not name a point of the model.
public struct HookNameError: Error, CustomStringConvertible, Equatable {
    /// The name as given.
    public let name: String
    /// Why it was rejected.
    public let reason: String

    /// What was wrong, naming the value.
    public var description: String { "unknown hook point '\(name)': \(reason)" }
}

extension ModuleNaming {
    /// Resolves a user's name to a hook point of a model with `layers` blocks.
    ///
    /// Accepts a standardized name (`layers_output.3`, `ln_final`), or an original module path
    /// with or without the `model.` prefix and an optional `.input`/`.output` suffix
    /// (`transformer.h.3`, `model.transformer.h.3.attn.output`, `lm_head`). A bare module path
    /// means its output.
    public func resolve(_ name: String, layers: Int) throws(HookNameError) -> HookPoint {
        let point: HookPoint
        if let p = HookPoint(standardizedName: name) {
            point = p
        } else if let p = pointForModulePath(name) {
            point = p
        } else {
            throw HookNameError(name: name, reason: "expected a standardized name (token_embeddings, "
                + "layers_input.I, attentions_input.I, attention_probabilities.I, attentions_output.I, mlps_input.I, mlps_output.I, "
                + "layers_output.I, ln_final, logits) or a module path such as \(envoyPath(of: .layerOutput(0)).dropFirst(6))")
        }
        if let i = point.layer, i >= layers {
            throw HookNameError(name: name, reason: "layer \(i) is out of range; the model has \(layers) layers (0...\(layers - 1))")
        }
        return point
    }

    /// The point of a module path, as given or (for nnsight's envoy paths) without its
    /// `model.` prefix; the path as given wins, since Llama's own paths start with `model.` too.
    private func pointForModulePath(_ raw: String) -> HookPoint? {
        if let p = pointForModulePath(exactly: raw) { return p }
        return raw.hasPrefix("model.") ? pointForModulePath(exactly: String(raw.dropFirst(6))) : nil
    }

    private func pointForModulePath(exactly raw: String) -> HookPoint? {
        var path = raw
        var side = Side.output
        for s in [Side.input, .output] where path.hasSuffix("." + s.rawValue) {
            path = String(path.dropLast(s.rawValue.count + 1))
            side = s
        }
        let candidates: [(String, Side, (Int) -> HookPoint)] = [
            (attentionProbabilities, .output, HookPoint.attentionProbabilities),
            (layer, .input, HookPoint.layerInput), (layer, .output, HookPoint.layerOutput),
            (attention, .input, HookPoint.attentionInput), (attention, .output, HookPoint.attentionOutput),
            (mlpInputModule ?? mlp, .input, HookPoint.mlpInput), (mlp, .output, HookPoint.mlpOutput),
        ]
        for (template, s, make) in candidates where s == side {
            if let i = Self.match(path, template: template) { return make(i) }
        }
        guard side == .output else { return nil }
        switch path {
        case embedTokens: return .tokenEmbeddings
        case finalNorm: return .lnFinal
        case head: return .logits
        default: return nil
        }
    }

    /// The layer index if `path` is `template` with `{i}` replaced by a non-negative integer.
    private static func match(_ path: String, template: String) -> Int? {
        let pieces = template.components(separatedBy: "{i}")
        guard pieces.count == 2, path.hasPrefix(pieces[0]), path.hasSuffix(pieces[1]),
              path.count > pieces[0].count + pieces[1].count else { return nil }
        let digits = path.dropFirst(pieces[0].count).dropLast(pieces[1].count)
        guard let i = Int(digits), i >= 0, String(i) == digits else { return nil }
        return i
    }
}
