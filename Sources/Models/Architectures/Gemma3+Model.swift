import SwiftSightCheckpoint
import SwiftSightHooks
import SwiftSightLayers

/// Gemma 3's text model (`Gemma3ForCausalLM`), registered as `gemma3_text`; the loaded model is a
/// ``DecoderModel`` with Gemma 2's blocks, per-head 1 + w RMSNorms on queries and keys
/// (`self_attn.q_norm`, `k_norm`, `head_dim` wide) before the rotary embedding, and a rotary
/// embedding per layer type (sliding layers their own base, global ones the scaled one).
package enum Gemma3TextModel: Architecture {
    /// Llama's module paths: `model.layers.3.self_attn`, `model.norm`, `lm_head`. With a
    /// final soft-cap the `lm_head` point holds the capped logits (transformers' `.logits`).
    package static let naming = LlamaModel.naming

    /// Block i's checkpoint names (without `.weight`): Gemma 2's, plus the q/k norms.
    struct BlockNames {
        let gemma: GemmaModel.BlockNames
        let qNorm, kNorm: String

        init(_ i: Int) {
            gemma = GemmaModel.BlockNames(i, gemma2: true)
            let attention = naming.paths(ofBlock: i).attention
            (qNorm, kNorm) = (attention + ".q_norm", attention + ".k_norm")
        }
    }

    /// Builds the model, every tensor's shape checked.
    package static func model(_ c: Gemma3TextConfiguration, weights w: CheckpointWeights,
                              precision: WeightPrecision) throws(CheckpointError) -> DecoderModel {
        let (d, hd) = (c.hiddenSize, c.headDim)
        let (qWidth, kvWidth) = (c.heads * hd, c.kvHeads * hd)  // the config checked the larger product
        try checkAgreement(c, w)
        let load = ParameterLoader(weights: w, precision: precision)
        let (global, local) = (c.globalRotary.resolved(), c.localRotary.resolved())
        func norm(_ name: String, width: Int) throws(CheckpointError) -> Norm {
            try load.rmsNorm(name, width: width, epsilon: c.rmsNormEpsilon, weightOffset: 1)
        }
        var tokens = try load.embedding(naming.embedTokens, rows: c.vocabSize, width: d)
        let head = try load.head(naming.head, vocab: c.vocabSize, width: d, tiedTo: c.tieWordEmbeddings ? tokens : nil)
        tokens.scale = c.embeddingScale
        var blocks: [DecoderBlock] = []
        for i in 0..<c.layers {
            let names = BlockNames(i)
            let n = names.gemma
            let sliding = c.slidingLayers[i]
            let kernel = ScaledDotProductAttention(scale: c.attentionScale, window: sliding ? c.window : nil,
                                                   softcap: c.attentionSoftcap)
            blocks.append(DecoderBlock(
                inputNorm: try norm(n.inputNorm, width: d),
                attention: SelfAttention(
                    projections: .separate(q: try load.linear(n.q, d, qWidth, bias: c.attentionBias),
                                           k: try load.linear(n.k, d, kvWidth, bias: c.attentionBias),
                                           v: try load.linear(n.v, d, kvWidth, bias: c.attentionBias)),
                    output: try load.linear(n.o, qWidth, d, bias: c.attentionBias), rotary: sliding ? local : global,
                    kernel: kernel, heads: c.heads, kvHeads: c.kvHeads, headDim: hd,
                    queryNorm: try norm(names.qNorm, width: hd), keyNorm: try norm(names.kNorm, width: hd)),
                postAttentionNorm: try norm(n.mlpInputNorm, width: d),
                mlp: FeedForward(kind: .gated(gate: try load.linear(n.gate, d, c.intermediateSize, bias: false),
                                              up: try load.linear(n.up, d, c.intermediateSize, bias: false),
                                              down: try load.linear(n.down, c.intermediateSize, d, bias: false)),
                                 activation: c.activation),
                residual: .sequential,
                attentionOutputNorm: try norm(n.attentionOutputNorm, width: d),
                mlpOutputNorm: try norm(n.mlpOutputNorm, width: d)))
        }
        let info = ModelInfo(modelType: "gemma3_text", numLayers: c.layers, hiddenSize: d, numHeads: c.heads,
                             numKeyValueHeads: c.kvHeads, headDim: hd, vocabSize: c.vocabSize, maxPositions: c.maxPositions,
                             eosTokenID: c.eosTokenIDs.first, eosTokenIDs: c.eosTokenIDs, naming: naming)
        return DecoderModel(info: info, tokens: tokens, positions: nil, blocks: blocks, outputNorm: try norm(naming.finalNorm, width: d),
                            head: head, finalLogitSoftcap: c.finalLogitSoftcap)
    }

    /// The config's sizes against the tensors, before anything is built (``ConfigAgreement``).
    static func checkAgreement(_ c: Gemma3TextConfiguration, _ w: CheckpointWeights) throws(CheckpointError) {
        let check = ConfigAgreement(weights: w)
        let tokens = naming.embedTokens + ".weight"
        try check.extent(tokens, axis: 0, is: c.vocabSize, key: "vocab_size")
        try check.extent(tokens, axis: 1, is: c.hiddenSize, key: "hidden_size")
        try check.layers(c.layers, key: "num_hidden_layers") { BlockNames($0).gemma.inputNorm + ".weight" }
        let first = BlockNames(0)
        try check.extent(first.qNorm + ".weight", axis: 0, is: c.headDim, key: "head_dim")
        try check.extent(first.gemma.q + ".weight", axis: 0, is: c.heads * c.headDim, key: "num_attention_heads",
                         value: c.heads, as: "num_attention_heads × head_dim")
        try check.extent(first.gemma.k + ".weight", axis: 0, is: c.kvHeads * c.headDim, key: "num_key_value_heads",
                         value: c.kvHeads, as: "num_key_value_heads × head_dim")
        try check.extent(first.gemma.gate + ".weight", axis: 0, is: c.intermediateSize, key: "intermediate_size")
    }
}
