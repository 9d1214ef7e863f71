import Foundation

/// How one architecture names the modules behind the standardized hook points.
///
/// This is the renaming table of an architecture: data, not code. Paths are relative to the
/// model (`transformer.h.3`); nnsight's envoy paths put `model.` in front (`model.transformer.h.3`).
/// `{i}` stands for the layer index.
public struct ModuleNaming: Sendable, Hashable {
    /// Which side of a module a hook point observes.
    public enum Side: String, Sendable {
        /// What enters the module (nnsight's `.input`).
        case input
        /// What the module returns (nnsight's `.output`).
        case output
    }

    /// The token embedding module (`transformer.wte`).
    public let embedTokens: String
    /// A block (`transformer.h.{i}`).
    public let layer: String
    /// A block's attention (`transformer.h.{i}.attn`).
    public let attention: String
    /// A block's MLP (`transformer.h.{i}.mlp`).
    public let mlp: String
    /// The module whose input is the MLP's input where no one module is the MLP (OPT's
    /// `model.decoder.layers.{i}.fc1`, with `mlp` its `fc2`); nil where `mlp` is both.
    public let mlpInputModule: String?
    /// The final norm (`transformer.ln_f`).
    public let finalNorm: String
    /// The output head (`lm_head`).
    public let head: String

    /// Where attention probabilities live: a pseudo-module under the attention,
    /// `transformer.h.{i}.attn.attention_probabilities`. Hugging Face has no module whose output
    /// they are (nnterp reads them inside the attention's softmax), so SwiftSight names them
    /// after nnterp's `attention_probabilities`; the envoy key is
    /// `model.transformer.h.3.attn.attention_probabilities.output`.
    public var attentionProbabilities: String { attention + ".attention_probabilities" }

    /// A naming table; see the property docs for the GPT-2 values, and each architecture's file
    /// (Sources/Models/Architectures) for its own.
    package init(embedTokens: String, layer: String, attention: String, mlp: String, finalNorm: String, head: String,
                 mlpInputModule: String? = nil) {
        (self.embedTokens, self.layer, self.attention, self.mlp, self.finalNorm, self.head) =
            (embedTokens, layer, attention, mlp, finalNorm, head)
        self.mlpInputModule = mlpInputModule
    }

    /// The module a point belongs to, and which side of it.
    public func module(of point: HookPoint) -> (path: String, side: Side) {
        func at(_ template: String, _ i: Int) -> String { template.replacingOccurrences(of: "{i}", with: String(i)) }
        return switch point {
        case .tokenEmbeddings: (embedTokens, .output)
        case .layerInput(let i): (at(layer, i), .input)
        case .attentionInput(let i): (at(attention, i), .input)
        case .attentionProbabilities(let i): (at(attentionProbabilities, i), .output)
        case .attentionOutput(let i): (at(attention, i), .output)
        case .mlpInput(let i): (at(mlpInputModule ?? mlp, i), .input)
        case .mlpOutput(let i): (at(mlp, i), .output)
        case .layerOutput(let i): (at(layer, i), .output)
        case .lnFinal: (finalNorm, .output)
        case .logits: (head, .output)
        }
    }

    /// The module paths of block `i`, its attention and its MLP (`transformer.h.3`,
    /// `transformer.h.3.attn`, `transformer.h.3.mlp`): an architecture names the block's
    /// checkpoint tensors under them, so module paths and checkpoint keys are written once.
    package func paths(ofBlock i: Int) -> (block: String, attention: String, mlp: String) {
        (module(of: .layerOutput(i)).path, module(of: .attentionOutput(i)).path, module(of: .mlpOutput(i)).path)
    }

    /// nnsight's envoy path of the point's module, such as `model.transformer.h.3`.
    public func envoyPath(of point: HookPoint) -> String { "model." + module(of: point).path }

    /// The key nnsight would use for the value, such as `model.transformer.h.3.output`.
    public func envoyKey(of point: HookPoint) -> String {
        let (path, side) = module(of: point)
        return "model.\(path).\(side.rawValue)"
    }
}
