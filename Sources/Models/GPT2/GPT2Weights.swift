import SwiftSightCheckpoint
import SwiftSightLayers

/// GPT-2 checkpoint keys, with or without the `transformer.` prefix.
///
/// `transformers` saves `transformer.h.0.attn.c_attn.weight`; the original `gpt2` repository
/// has `h.0.attn.c_attn.weight` (plus `h.N.attn.bias` causal-mask buffers, which are unused).
/// The prefix is decided once from the token embedding's key.
struct GPT2Weights {
    let weights: CheckpointWeights
    let prefix: String

    init(_ weights: CheckpointWeights) throws(CheckpointError) {
        self.weights = weights
        if weights.contains("transformer.wte.weight") {
            prefix = "transformer."
        } else if weights.contains("wte.weight") {
            prefix = ""
        } else {
            throw CheckpointError.missingTensor(key: "transformer.wte.weight (or wte.weight)", file: weights.source.path, index: nil)
        }
    }

    /// The tensor `name` (without prefix), checked against `shape`.
    func tensor(_ name: String, _ shape: [Int]) throws(CheckpointError) -> Tensor {
        try weights.tensor(prefix + name, shape: shape)
    }

    /// The untied output head, `lm_head.weight` (never prefixed).
    func head(_ shape: [Int]) throws(CheckpointError) -> Tensor {
        try weights.tensor("lm_head.weight", shape: shape)
    }
}
