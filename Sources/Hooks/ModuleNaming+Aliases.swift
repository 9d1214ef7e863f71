extension ModuleNaming {
    /// The original module path for a standardized module name (nnterp's `layers.I`,
    /// `attentions.I`, `mlps.I`, `embed_tokens`, `ln_final`, `lm_head`, with or without
    /// `model.`); any other name is returned unchanged.
    public func originalPath(forAlias name: String) -> String {
        let bare = name.hasPrefix("model.") ? String(name.dropFirst(6)) : name
        let parts = bare.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count == 2, let i = Int(parts[1]), i >= 0 {
            switch parts[0] {
            case "layers": return module(of: .layerOutput(i)).path
            case "attentions": return module(of: .attentionOutput(i)).path
            case "mlps": return module(of: .mlpOutput(i)).path
            default: break
            }
        }
        switch bare {
        case "embed_tokens": return embedTokens
        case "ln_final": return finalNorm
        case "lm_head": return head
        default: return name
        }
    }
}
