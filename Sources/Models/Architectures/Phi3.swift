import SwiftSightCheckpoint
import SwiftSightHooks
import SwiftSightLayers

/// Phi-3 (`Phi3ForCausalLM`): Llama's block with its projections fused, `qkv_proj` (weight rows
/// [q | k | v]) and `mlp.gate_up_proj` (rows [gate | up]), no biases, rotary positions on the
/// first `partial_rotary_factor` of each head, and `sliding_window` on every layer. The config
/// is read by ``LlamaConfiguration`` (`phi3`); the dropouts (`resid_pdrop`, `embd_pdrop`,
/// `attention_dropout`) do nothing at inference, and a `longrope` rope type is an error naming
/// its key. Parameter gradients are reported under the fused checkpoint names.
package enum Phi3Model: Architecture {
    /// The same module paths as Llama.
    package static let naming = LlamaModel.naming

    /// Block i's checkpoint names (without `.weight`), under its module paths.
    struct BlockNames {
        let inputNorm, qkv, o, postAttentionNorm, gateUp, down: String

        init(_ i: Int) {
            let (block, attention, mlp) = naming.paths(ofBlock: i)
            (inputNorm, postAttentionNorm) = (block + ".input_layernorm", block + ".post_attention_layernorm")
            (qkv, o) = (attention + ".qkv_proj", attention + ".o_proj")
            (gateUp, down) = (mlp + ".gate_up_proj", mlp + ".down_proj")
        }
    }

    package static func model(_ c: LlamaConfiguration, weights w: CheckpointWeights,
                              precision: WeightPrecision) throws(CheckpointError) -> DecoderModel {
        let (d, hd) = (c.hiddenSize, c.headDim)
        let (qWidth, kvWidth) = (c.heads * hd, c.kvHeads * hd)  // the config checked the larger product
        try checkAgreement(c, w)
        let load = ParameterLoader(weights: w, precision: precision)
        let rotary = c.rotary.resolved()
        let tokens = try load.embedding(naming.embedTokens, rows: c.vocabSize, width: d)
        var blocks: [DecoderBlock] = []
        for i in 0..<c.layers {
            let n = BlockNames(i)
            blocks.append(DecoderBlock(
                inputNorm: try load.rmsNorm(n.inputNorm, width: d, epsilon: c.rmsNormEpsilon),
                attention: SelfAttention(
                    projections: .fusedColumns(try load.linear(n.qkv, d, qWidth + 2 * kvWidth, bias: false)),
                    output: try load.linear(n.o, qWidth, d, bias: false), rotary: rotary,
                    kernel: ScaledDotProductAttention(scale: 1 / Float(hd).squareRoot(), window: c.slidingWindow.window(forLayer: i)),
                    heads: c.heads, kvHeads: c.kvHeads, headDim: hd),
                postAttentionNorm: try load.rmsNorm(n.postAttentionNorm, width: d, epsilon: c.rmsNormEpsilon),
                mlp: FeedForward(kind: .fusedGated(gateUp: try load.linear(n.gateUp, d, 2 * c.intermediateSize, bias: false),
                                                   down: try load.linear(n.down, c.intermediateSize, d, bias: false),
                                                   width: c.intermediateSize),
                                 activation: c.activation),
                residual: .sequential))
        }
        let norm = try load.rmsNorm(naming.finalNorm, width: d, epsilon: c.rmsNormEpsilon)
        let head = try load.head(naming.head, vocab: c.vocabSize, width: d, tiedTo: c.tieWordEmbeddings ? tokens : nil)
        let info = ModelInfo(modelType: c.modelType, numLayers: c.layers, hiddenSize: d, numHeads: c.heads,
                             numKeyValueHeads: c.kvHeads, headDim: hd, vocabSize: c.vocabSize, maxPositions: c.maxPositions,
                             eosTokenID: c.eosTokenID, eosTokenIDs: c.eosTokenIDs, naming: naming)
        return DecoderModel(info: info, tokens: tokens, positions: nil, blocks: blocks, outputNorm: norm, head: head)
    }

    /// The config's sizes against the tensors, before anything is built (``ConfigAgreement``):
    /// the fused projections' row counts are q + 2 kv and 2 × intermediate.
    static func checkAgreement(_ c: LlamaConfiguration, _ w: CheckpointWeights) throws(CheckpointError) {
        let check = ConfigAgreement(weights: w)
        let tokens = naming.embedTokens + ".weight"
        try check.extent(tokens, axis: 0, is: c.vocabSize, key: "vocab_size")
        try check.extent(tokens, axis: 1, is: c.hiddenSize, key: "hidden_size")
        try check.layers(c.layers, key: "num_hidden_layers") { BlockNames($0).inputNorm + ".weight" }
        let first = BlockNames(0)
        try check.extent(first.o + ".weight", axis: 1, is: c.heads * c.headDim, key: "head_dim", value: c.headDim,
                         as: "num_attention_heads × head_dim")
        try check.extent(first.qkv + ".weight", axis: 0, is: (c.heads + 2 * c.kvHeads) * c.headDim, key: "num_key_value_heads",
                         value: c.kvHeads, as: "(num_attention_heads + 2 × num_key_value_heads) × head_dim")
        try check.extent(first.down + ".weight", axis: 1, is: c.intermediateSize, key: "intermediate_size")
    }
}
