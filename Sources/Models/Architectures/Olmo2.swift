import SwiftSightCheckpoint
import SwiftSightHooks
import SwiftSightLayers

/// The fields of an OLMo 2 `config.json` that shape the computation, with transformers 5.24's
/// Olmo2Config defaults. `head_dim` is honoured when present, as Olmo2Attention's `getattr`
/// does. A non-null `clip_qkv` is refused: Olmo2Config has no such option and transformers'
/// Olmo2 ignores it, while OLMo's own code clamps, so no answer would match both.
package struct Olmo2Configuration: Sendable, Equatable {
    package var layers: Int
    package var heads: Int
    package var kvHeads: Int
    package var hiddenSize: Int
    package var headDim: Int
    package var intermediateSize: Int
    package var maxPositions: Int
    package var vocabSize: Int
    package var rmsNormEpsilon: Float
    package var activation: Activation
    package var tieWordEmbeddings: Bool
    /// `attention_bias`: biases on q, k, v and o.
    package var attentionBias: Bool
    package var rotary: RotaryEmbedding
    package var eosTokenIDs: [Int]

    /// Reads and checks the config; errors name the file and the key. Allocates nothing from
    /// the config's sizes (``Olmo2Model`` checks them against the tensors first).
    package init(_ config: JSONConfig) throws(CheckpointError) {
        let modelType = try config.string("model_type")
        guard modelType == "olmo2" else { throw config.unsupportedModelType(modelType, supported: ["olmo2"]) }
        layers = try config.positiveInt("num_hidden_layers")
        heads = try config.positiveInt("num_attention_heads")
        hiddenSize = try config.positiveInt("hidden_size")
        kvHeads = try config.positiveInt("num_key_value_heads", default: heads)
        intermediateSize = try config.positiveInt("intermediate_size")
        vocabSize = try config.positiveInt("vocab_size")
        maxPositions = try config.positiveInt("max_position_embeddings", default: 2048)
        guard heads % kvHeads == 0 else {
            throw config.invalid("num_key_value_heads", kvHeads, "must divide num_attention_heads \(heads)")
        }
        headDim = try config.headDim(heads: heads, hiddenSize: hiddenSize)
        rmsNormEpsilon = try config.epsilon("rms_norm_eps", default: 1e-5)
        activation = try config.activation("hidden_act", default: "silu")
        tieWordEmbeddings = try config.bool("tie_word_embeddings", default: false)
        attentionBias = try config.bool("attention_bias", default: false)
        if let clip = try config.optionalDouble("clip_qkv") {
            throw config.invalid("clip_qkv", clip, "not supported for olmo2: transformers' Olmo2 ignores it, OLMo's code clamps")
        }
        rotary = try config.rotaryEmbedding(headDim: headDim, maxPositions: maxPositions)
        // Olmo2Config's default eos_token_id is 50279; a null one means none.
        eosTokenIDs = try config.keys.contains("eos_token_id") ? config.optionalInts("eos_token_id") ?? [] : [50279]
    }
}

extension Olmo2Configuration: ArchitectureConfiguration {}

/// OLMo 2 (`Olmo2ForCausalLM`): Llama's attention and SwiGLU MLP with the norms moved. No
/// pre-norms (the block's input and post-attention slots are ``Norm/Kind/identity``); RMSNorms
/// on the attention and MLP outputs (checkpoint names `post_attention_layernorm` and
/// `post_feedforward_layernorm`) before they join the residual stream; RMSNorms over the whole
/// q and k projection widths (`self_attn.q_norm` [heads · head_dim], `k_norm`
/// [kv_heads · head_dim]) before the rotary embedding. Registered as `olmo2`; the loaded model
/// is a ``DecoderModel``.
package enum Olmo2Model: Architecture {
    /// Llama's module paths (`model.layers.3.self_attn`, `model.norm`, `lm_head`).
    package static let naming = LlamaModel.naming

    /// Block i's checkpoint names (without `.weight`): Llama's, plus the q/k and MLP-output norms.
    struct BlockNames {
        let llama: LlamaModel.BlockNames
        let qNorm, kNorm, feedForwardNorm: String

        init(_ i: Int) {
            llama = LlamaModel.BlockNames(i)
            let (block, attention, _) = naming.paths(ofBlock: i)
            (qNorm, kNorm) = (attention + ".q_norm", attention + ".k_norm")
            feedForwardNorm = block + ".post_feedforward_layernorm"
        }
    }

    /// Builds the model, every tensor's shape checked.
    package static func model(_ c: Olmo2Configuration, weights w: CheckpointWeights,
                              precision: WeightPrecision) throws(CheckpointError) -> DecoderModel {
        let (d, hd, eps) = (c.hiddenSize, c.headDim, c.rmsNormEpsilon)
        let (qWidth, kvWidth) = (c.heads * hd, c.kvHeads * hd)  // the config checked the larger product
        try checkAgreement(c, w)
        let load = ParameterLoader(weights: w, precision: precision)
        let rotary = c.rotary.resolved()
        let tokens = try load.embedding(naming.embedTokens, rows: c.vocabSize, width: d)
        var blocks: [DecoderBlock] = []
        for i in 0..<c.layers {
            let names = BlockNames(i)
            let n = names.llama
            var attention = SelfAttention(
                projections: .separate(q: try load.linear(n.q, d, qWidth, bias: c.attentionBias),
                                       k: try load.linear(n.k, d, kvWidth, bias: c.attentionBias),
                                       v: try load.linear(n.v, d, kvWidth, bias: c.attentionBias)),
                output: try load.linear(n.o, qWidth, d, bias: c.attentionBias), rotary: rotary,
                kernel: ScaledDotProductAttention(scale: 1 / Float(hd).squareRoot(), window: nil),
                heads: c.heads, kvHeads: c.kvHeads, headDim: hd,
                queryNorm: try load.rmsNorm(names.qNorm, width: qWidth, epsilon: eps),
                keyNorm: try load.rmsNorm(names.kNorm, width: kvWidth, epsilon: eps))
            attention.normsSpanHeads = true
            blocks.append(DecoderBlock(
                // No tensors behind these two: the names only say which slot is empty.
                inputNorm: Norm(kind: .identity, name: n.inputNorm),
                attention: attention,
                postAttentionNorm: Norm(kind: .identity, name: n.postAttentionNorm + " (pre-MLP)"),
                mlp: FeedForward(kind: .gated(gate: try load.linear(n.gate, d, c.intermediateSize, bias: false),
                                              up: try load.linear(n.up, d, c.intermediateSize, bias: false),
                                              down: try load.linear(n.down, c.intermediateSize, d, bias: false)),
                                 activation: c.activation),
                residual: .sequential,
                // transformers' `post_attention_layernorm` normalises the attention output here.
                attentionOutputNorm: try load.rmsNorm(n.postAttentionNorm, width: d, epsilon: eps),
                mlpOutputNorm: try load.rmsNorm(names.feedForwardNorm, width: d, epsilon: eps)))
        }
        let norm = try load.rmsNorm(naming.finalNorm, width: d, epsilon: eps)
        let head = try load.head(naming.head, vocab: c.vocabSize, width: d, tiedTo: c.tieWordEmbeddings ? tokens : nil)
        let info = ModelInfo(modelType: "olmo2", numLayers: c.layers, hiddenSize: d, numHeads: c.heads,
                             numKeyValueHeads: c.kvHeads, headDim: hd, vocabSize: c.vocabSize, maxPositions: c.maxPositions,
                             eosTokenID: c.eosTokenIDs.first, eosTokenIDs: c.eosTokenIDs, naming: naming)
        return DecoderModel(info: info, tokens: tokens, positions: nil, blocks: blocks, outputNorm: norm, head: head)
    }

    /// The config's sizes against the tensors, before anything is built (``ConfigAgreement``);
    /// the layers are probed by `q_proj`.
    static func checkAgreement(_ c: Olmo2Configuration, _ w: CheckpointWeights) throws(CheckpointError) {
        let check = ConfigAgreement(weights: w)
        let tokens = naming.embedTokens + ".weight"
        try check.extent(tokens, axis: 0, is: c.vocabSize, key: "vocab_size")
        try check.extent(tokens, axis: 1, is: c.hiddenSize, key: "hidden_size")
        try check.layers(c.layers, key: "num_hidden_layers") { LlamaModel.BlockNames($0).q + ".weight" }
        let first = BlockNames(0)
        try check.extent(first.llama.q + ".weight", axis: 0, is: c.heads * c.headDim, key: "head_dim", value: c.headDim,
                         as: "num_attention_heads × head_dim")
        try check.extent(first.llama.k + ".weight", axis: 0, is: c.kvHeads * c.headDim, key: "num_key_value_heads",
                         value: c.kvHeads, as: "num_key_value_heads × head_dim")
        try check.extent(first.llama.gate + ".weight", axis: 0, is: c.intermediateSize, key: "intermediate_size")
    }
}
