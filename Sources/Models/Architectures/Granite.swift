import SwiftSightCheckpoint
import SwiftSightHooks
import SwiftSightLayers

/// The fields of a Granite `config.json`: Llama's (read by ``LlamaConfiguration``, `granite`)
/// and the four multipliers transformers' `GraniteForCausalLM` applies.
package struct GraniteConfiguration: Sendable, Equatable {
    package var llama: LlamaConfiguration
    /// Multiplies the token embeddings before block 0 (`embedding_multiplier`).
    package var embeddingMultiplier: Float
    /// Multiplies each attention and MLP output before its residual add (`residual_multiplier`).
    package var residualMultiplier: Float
    /// The attention scale, in place of 1/√head_dim (`attention_multiplier`; transformers'
    /// default is 1, not 1/√head_dim).
    package var attentionMultiplier: Float
    /// Divides the logits (`logits_scaling`).
    package var logitsScaling: Float

    package var layers: Int { llama.layers }
    package var hiddenSize: Int { llama.hiddenSize }

    package init(_ config: JSONConfig) throws(CheckpointError) {
        llama = try LlamaConfiguration(config)
        guard llama.modelType == "granite" else { throw config.unsupportedModelType(llama.modelType, supported: ["granite"]) }
        /// A Float32 multiplier: finite (1e300 is an error naming its key, not an infinity), and
        /// positive where it divides or scales the attention.
        func multiplier(_ key: String, positive: Bool) throws(CheckpointError) -> Float {
            let value = try config.finiteDouble(key, default: 1)
            guard Float(value).isFinite, !positive || value > 0 else {
                throw config.invalid(key, value, positive ? "must be a positive Float32 number" : "must be a finite Float32 number")
            }
            return Float(value)
        }
        embeddingMultiplier = try multiplier("embedding_multiplier", positive: false)
        residualMultiplier = try multiplier("residual_multiplier", positive: false)
        attentionMultiplier = try multiplier("attention_multiplier", positive: true)
        logitsScaling = try multiplier("logits_scaling", positive: true)
    }
}

extension GraniteConfiguration: ArchitectureConfiguration {}

/// Granite (`GraniteForCausalLM`): Llama's model with its four multipliers: the embeddings
/// entering block 0 (the `embed_tokens` point stays the raw lookup), each sublayer's output as
/// it joins the residual stream (the attention and MLP points are before it), the attention
/// scale, and the logits divided (the `logits` point is transformers' `.logits`, after it).
package enum GraniteModel: Architecture {
    /// The same module paths as Llama.
    package static let naming = LlamaModel.naming

    package static func model(_ c: GraniteConfiguration, weights: CheckpointWeights,
                              precision: WeightPrecision) throws(CheckpointError) -> DecoderModel {
        var model = try LlamaModel.model(c.llama, weights: weights, precision: precision)
        model.blocks = model.blocks.map { block in
            var block = block
            let a = block.attention
            block.attention = SelfAttention(projections: a.projections, output: a.output, rotary: a.rotary,
                                            kernel: ScaledDotProductAttention(scale: c.attentionMultiplier, window: a.kernel.window),
                                            heads: a.heads, kvHeads: a.kvHeads, headDim: a.headDim)
            block.residualMultiplier = c.residualMultiplier
            return block
        }
        model.embeddingScale = c.embeddingMultiplier
        model.logitsDivisor = c.logitsScaling
        return model
    }
}
