extension HookPoint: CustomStringConvertible {
    /// The standardized (nnterp) name, such as `layers_output.3` or `logits`.
    public var name: String {
        switch self {
        case .tokenEmbeddings: "token_embeddings"
        case .layerInput(let i): "layers_input.\(i)"
        case .attentionInput(let i): "attentions_input.\(i)"
        case .attentionProbabilities(let i): "attention_probabilities.\(i)"
        case .attentionOutput(let i): "attentions_output.\(i)"
        case .mlpInput(let i): "mlps_input.\(i)"
        case .mlpOutput(let i): "mlps_output.\(i)"
        case .layerOutput(let i): "layers_output.\(i)"
        case .lnFinal: "ln_final"
        case .logits: "logits"
        }
    }

    /// The standardized name.
    public var description: String { name }

    /// Parses a standardized name (`layers_output.3`, `ln_final`, ...); nil if it is not one.
    /// The layer index is not range-checked here; see ``ModuleNaming/resolve(_:layers:)``.
    public init?(standardizedName s: String) {
        switch s {
        case "token_embeddings": self = .tokenEmbeddings; return
        case "ln_final": self = .lnFinal; return
        case "logits": self = .logits; return
        default: break
        }
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[1]), i >= 0, String(i) == parts[1] else { return nil }
        switch parts[0] {
        case "layers_input": self = .layerInput(i)
        case "attentions_input": self = .attentionInput(i)
        case "attention_probabilities": self = .attentionProbabilities(i)
        case "attentions_output": self = .attentionOutput(i)
        case "mlps_input": self = .mlpInput(i)
        case "mlps_output": self = .mlpOutput(i)
        case "layers_output": self = .layerOutput(i)
        default: return nil
        }
    }
}
