import SwiftSightCheckpoint
import SwiftSightHooks
import SwiftSightLayers

/// Gemma and Gemma 2 (`GemmaForCausalLM`, `Gemma2ForCausalLM`), registered as `gemma` and
/// `gemma2`; the loaded model is a ``DecoderModel`` whose norms scale by 1 + w, whose
/// `embed_tokens` multiplies by √hidden_size, and (Gemma 2) whose blocks normalise the
/// attention and MLP outputs and whose scores and logits are soft-capped.
package enum GemmaModel: Architecture {
    /// Llama's module paths: `model.layers.3.self_attn`, `model.norm`, `lm_head`. With a
    /// final soft-cap the `lm_head` point holds the capped logits (transformers' `.logits`),
    /// not the output of the `lm_head` module itself.
    package static let naming = LlamaModel.naming

    /// Block i's checkpoint names (without `.weight`), under its module paths. Gemma 2's
    /// `post_attention_layernorm` normalises the attention output and its
    /// `pre_feedforward_layernorm` the MLP input; Gemma's `post_attention_layernorm` is the
    /// MLP input's norm, as Llama's.
    struct BlockNames {
        let inputNorm, q, k, v, o, mlpInputNorm, gate, up, down: String
        let attentionOutputNorm, mlpOutputNorm: String

        init(_ i: Int, gemma2: Bool) {
            let (block, attention, mlp) = naming.paths(ofBlock: i)
            inputNorm = block + ".input_layernorm"
            mlpInputNorm = block + (gemma2 ? ".pre_feedforward_layernorm" : ".post_attention_layernorm")
            (attentionOutputNorm, mlpOutputNorm) = (block + ".post_attention_layernorm", block + ".post_feedforward_layernorm")
            (q, k, v, o) = (attention + ".q_proj", attention + ".k_proj", attention + ".v_proj", attention + ".o_proj")
            (gate, up, down) = (mlp + ".gate_proj", mlp + ".up_proj", mlp + ".down_proj")
        }
    }

    /// Builds the model, every tensor's shape checked.
    package static func model(_ c: GemmaConfiguration, weights w: CheckpointWeights,
                              precision: WeightPrecision) throws(CheckpointError) -> DecoderModel {
        let (d, hd, gemma2) = (c.hiddenSize, c.headDim, c.hasSublayerOutputNorms)
        let (qWidth, kvWidth) = (c.heads * hd, c.kvHeads * hd)  // the config checked the larger product
        try checkAgreement(c, w)
        let load = ParameterLoader(weights: w, precision: precision)
        let rotary = c.rotary.resolved()
        func norm(_ name: String) throws(CheckpointError) -> Norm {
            try load.rmsNorm(name, width: d, epsilon: c.rmsNormEpsilon, weightOffset: 1)
        }
        var tokens = try load.embedding(naming.embedTokens, rows: c.vocabSize, width: d)
        let head = try load.head(naming.head, vocab: c.vocabSize, width: d, tiedTo: c.tieWordEmbeddings ? tokens : nil)
        tokens.scale = c.embeddingScale
        var blocks: [DecoderBlock] = []
        for i in 0..<c.layers {
            let n = BlockNames(i, gemma2: gemma2)
            let kernel = ScaledDotProductAttention(scale: c.attentionScale, window: c.slidingWindow.window(forLayer: i),
                                                   softcap: c.attentionSoftcap)
            blocks.append(DecoderBlock(
                inputNorm: try norm(n.inputNorm),
                attention: SelfAttention(
                    projections: .separate(q: try load.linear(n.q, d, qWidth, bias: c.attentionBias),
                                           k: try load.linear(n.k, d, kvWidth, bias: c.attentionBias),
                                           v: try load.linear(n.v, d, kvWidth, bias: c.attentionBias)),
                    output: try load.linear(n.o, qWidth, d, bias: c.attentionBias), rotary: rotary,
                    kernel: kernel, heads: c.heads, kvHeads: c.kvHeads, headDim: hd),
                postAttentionNorm: try norm(n.mlpInputNorm),
                mlp: FeedForward(kind: .gated(gate: try load.linear(n.gate, d, c.intermediateSize, bias: false),
                                              up: try load.linear(n.up, d, c.intermediateSize, bias: false),
                                              down: try load.linear(n.down, c.intermediateSize, d, bias: false)),
                                 activation: c.activation),
                residual: .sequential,
                attentionOutputNorm: gemma2 ? try norm(n.attentionOutputNorm) : nil,
                mlpOutputNorm: gemma2 ? try norm(n.mlpOutputNorm) : nil))
        }
        let info = ModelInfo(modelType: c.modelType, numLayers: c.layers, hiddenSize: d, numHeads: c.heads,
                             numKeyValueHeads: c.kvHeads, headDim: hd, vocabSize: c.vocabSize, maxPositions: c.maxPositions,
                             eosTokenID: c.eosTokenID, eosTokenIDs: c.eosTokenIDs, naming: naming)
        return DecoderModel(info: info, tokens: tokens, positions: nil, blocks: blocks, outputNorm: try norm(naming.finalNorm),
                            head: head, finalLogitSoftcap: c.finalLogitSoftcap)
    }

    /// The config's sizes against the tensors, before anything is built (``ConfigAgreement``).
    static func checkAgreement(_ c: GemmaConfiguration, _ w: CheckpointWeights) throws(CheckpointError) {
        let check = ConfigAgreement(weights: w)
        let tokens = naming.embedTokens + ".weight"
        try check.extent(tokens, axis: 0, is: c.vocabSize, key: "vocab_size")
        try check.extent(tokens, axis: 1, is: c.hiddenSize, key: "hidden_size")
        try check.layers(c.layers, key: "num_hidden_layers") { BlockNames($0, gemma2: c.hasSublayerOutputNorms).inputNorm + ".weight" }
        let first = BlockNames(0, gemma2: c.hasSublayerOutputNorms)
        try check.extent(first.q + ".weight", axis: 0, is: c.heads * c.headDim, key: "head_dim", value: c.headDim,
                         as: "num_attention_heads × head_dim")
        try check.extent(first.k + ".weight", axis: 0, is: c.kvHeads * c.headDim, key: "num_key_value_heads",
                         value: c.kvHeads, as: "num_key_value_heads × head_dim")
        try check.extent(first.gate + ".weight", axis: 0, is: c.intermediateSize, key: "intermediate_size")
    }
}
