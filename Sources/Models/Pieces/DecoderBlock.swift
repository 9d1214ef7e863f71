import SwiftSightHooks
import SwiftSightLayers

/// One pre-norm transformer block: norm, attention, norm, MLP, joined to the residual stream
/// sequentially or in parallel. It fires the block's inner points (attention and MLP inputs
/// and outputs) in forward order; the stage fires the points around it.
struct DecoderBlock: Sendable {
    /// How the attention and MLP outputs join the residual stream.
    enum Residual: Sendable {
        /// x + attn(norm₁(x)), then + mlp(norm₂(that)): GPT-2, Llama, GPT-NeoX without
        /// `use_parallel_residual`.
        case sequential
        /// x + attn(norm₁(x)) + mlp(norm₂(x)), both reading the block input: GPT-NeoX's default.
        case parallel
        /// x + attn(norm₁(x)) + mlp(norm₁(x)): one norm feeds both (GPT-J's `ln_1`, Phi's
        /// `input_layernorm`); `postAttentionNorm` is unused (pass the input norm). The MLP reads
        /// the norm's output itself, not the attention input after its hook, as in transformers.
        case parallelSharedNorm
    }

    var inputNorm: Norm
    var attention: SelfAttention
    var postAttentionNorm: Norm
    var mlp: FeedForward
    let residual: Residual
    /// Gemma 2's `post_attention_layernorm` and `post_feedforward_layernorm`: normalise the
    /// attention and MLP outputs before they join the residual stream (after their hook points,
    /// which show the modules' own outputs as transformers does); nil elsewhere.
    var attentionOutputNorm: Norm? = nil
    var mlpOutputNorm: Norm? = nil
    /// What the attention and MLP outputs are multiplied by as they join the residual stream,
    /// after their hook points (Granite's `residual_multiplier`; 1 elsewhere, where nothing is
    /// multiplied).
    var residualMultiplier: Float = 1

    func callAsFunction(_ layer: Int, _ input: Tensor, context: BlockContext) async throws -> Tensor {
        let normed = inputNorm(input)
        var attentionInput = normed
        try await context.fire(.attentionInput(layer), &attentionInput)
        var attentionOutput = try await attention(attentionInput, layer: layer, context: context)
        try await context.fire(.attentionOutput(layer), &attentionOutput)
        if let attentionOutputNorm { attentionOutput = attentionOutputNorm(attentionOutput) }
        if residualMultiplier != 1 { attentionOutput = attentionOutput * residualMultiplier }
        var x = input
        if residual == .sequential { x.add(unchecked: attentionOutput) }
        // `mlps_input.i` is what the MLP reads either way.
        var mlpInput = residual == .parallelSharedNorm ? normed : postAttentionNorm(x)
        try await context.fire(.mlpInput(layer), &mlpInput)
        var mlpOutput = mlp(mlpInput)
        try await context.fire(.mlpOutput(layer), &mlpOutput)
        if let mlpOutputNorm { mlpOutput = mlpOutputNorm(mlpOutput) }
        if residualMultiplier != 1 { mlpOutput = mlpOutput * residualMultiplier }
        if residual != .sequential { x.add(unchecked: attentionOutput) }
        x.add(unchecked: mlpOutput)
        return x
    }

    func watched(on tape: GradientTape) -> DecoderBlock {
        DecoderBlock(inputNorm: inputNorm.watched(on: tape), attention: attention.watched(on: tape),
                     // Unused when shared: watching it too would name the input norm's parameters twice.
                     postAttentionNorm: residual == .parallelSharedNorm ? postAttentionNorm : postAttentionNorm.watched(on: tape), mlp: mlp.watched(on: tape), residual: residual,
                     attentionOutputNorm: attentionOutputNorm?.watched(on: tape), mlpOutputNorm: mlpOutputNorm?.watched(on: tape),
                     residualMultiplier: residualMultiplier)
    }
}
