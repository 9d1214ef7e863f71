import SwiftSightCheckpoint
import SwiftSightHooks
import SwiftSightLayers

/// The fields of a Phi (Phi-1, 1.5, 2) `config.json` that shape the computation, with
/// transformers 5.24's PhiConfig defaults: `partial_rotary_factor` 0.5, `eos_token_id` 2,
/// `head_dim` honoured when present (PhiAttention's `getattr`). The dropouts do nothing at
/// inference.
package struct PhiConfiguration: Sendable, Equatable {
    package var layers: Int
    package var heads: Int
    package var kvHeads: Int
    package var hiddenSize: Int
    package var headDim: Int
    package var intermediateSize: Int
    package var maxPositions: Int
    package var vocabSize: Int
    package var layerNormEpsilon: Float
    package var activation: Activation
    package var tieWordEmbeddings: Bool
    /// `qk_layernorm`: a LayerNorm (weight and bias) on each head of q and k before the rotary.
    package var qkLayerNorm: Bool
    package var rotary: RotaryEmbedding
    package var eosTokenIDs: [Int]

    /// Reads and checks the config; errors name the file and the key. Allocates nothing from
    /// the config's sizes (``PhiModel`` checks them against the tensors first).
    package init(_ config: JSONConfig) throws(CheckpointError) {
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
        layerNormEpsilon = try config.epsilon("layer_norm_eps", default: 1e-5)
        activation = try config.activation("hidden_act", default: "gelu_new")
        tieWordEmbeddings = try config.bool("tie_word_embeddings", default: false)
        qkLayerNorm = try config.bool("qk_layernorm", default: false)
        // transformers sizes q_layernorm and k_layernorm hidden_size / heads, whatever head_dim says.
        if qkLayerNorm && (hiddenSize % heads != 0 || hiddenSize / heads != headDim) {
            throw config.invalid("qk_layernorm", true, "its norms are hidden_size / num_attention_heads wide, not head_dim \(headDim)")
        }
        rotary = try config.rotaryEmbedding(headDim: headDim, maxPositions: maxPositions, defaultPartialFactor: 0.5)
        // PhiConfig's default eos_token_id is 2; a null one means none.
        eosTokenIDs = try config.keys.contains("eos_token_id") ? config.optionalInts("eos_token_id") ?? [] : [2]
    }
}

extension PhiConfiguration: ArchitectureConfiguration {}

/// Phi-1, 1.5 and 2 (`PhiForCausalLM`): attention and MLP both read ONE LayerNorm of the
/// block input (`input_layernorm`, ``DecoderBlock/Residual/parallelSharedNorm``); q, k, v and
/// `dense` with biases; half-split rotary on the first `partial_rotary_factor` of each head;
/// optional per-head LayerNorms of q and k (`qk_layernorm`); an `fc1`/`fc2` MLP;
/// `final_layernorm`; an `lm_head` with a bias. Registered as `phi`.
package enum PhiModel: Architecture {
    /// `model.layers.3.self_attn`, `model.layers.3.mlp`, `model.final_layernorm`, `lm_head`.
    package static let naming = ModuleNaming(
        embedTokens: "model.embed_tokens", layer: "model.layers.{i}", attention: "model.layers.{i}.self_attn",
        mlp: "model.layers.{i}.mlp", finalNorm: "model.final_layernorm", head: "lm_head")

    /// Block i's checkpoint names (without `.weight`), under its module paths.
    struct BlockNames {
        let norm, q, k, v, o, qNorm, kNorm, up, down: String

        init(_ i: Int) {
            let (block, attention, mlp) = naming.paths(ofBlock: i)
            norm = block + ".input_layernorm"
            (q, k, v, o) = (attention + ".q_proj", attention + ".k_proj", attention + ".v_proj", attention + ".dense")
            (qNorm, kNorm) = (attention + ".q_layernorm", attention + ".k_layernorm")
            (up, down) = (mlp + ".fc1", mlp + ".fc2")
        }
    }

    package static func model(_ c: PhiConfiguration, weights w: CheckpointWeights,
                              precision: WeightPrecision) throws(CheckpointError) -> DecoderModel {
        let (d, hd, eps) = (c.hiddenSize, c.headDim, c.layerNormEpsilon)
        let (qWidth, kvWidth) = (c.heads * hd, c.kvHeads * hd)  // the config checked the larger product
        try checkAgreement(c, w)
        let load = ParameterLoader(weights: w, precision: precision)
        let rotary = c.rotary.resolved()
        let tokens = try load.embedding(naming.embedTokens, rows: c.vocabSize, width: d)
        var blocks: [DecoderBlock] = []
        for i in 0..<c.layers {
            let n = BlockNames(i)
            let norm = try load.layerNorm(n.norm, width: d, epsilon: eps)
            blocks.append(DecoderBlock(
                inputNorm: norm,
                attention: SelfAttention(
                    projections: .separate(q: try load.linear(n.q, d, qWidth, bias: true), k: try load.linear(n.k, d, kvWidth, bias: true),
                                           v: try load.linear(n.v, d, kvWidth, bias: true)),
                    output: try load.linear(n.o, qWidth, d, bias: true), rotary: rotary,
                    kernel: ScaledDotProductAttention(scale: 1 / Float(hd).squareRoot()),
                    heads: c.heads, kvHeads: c.kvHeads, headDim: hd,
                    queryNorm: c.qkLayerNorm ? try load.layerNorm(n.qNorm, width: hd, epsilon: eps) : nil,
                    keyNorm: c.qkLayerNorm ? try load.layerNorm(n.kNorm, width: hd, epsilon: eps) : nil),
                postAttentionNorm: norm,
                mlp: FeedForward(kind: .plain(up: try load.linear(n.up, d, c.intermediateSize, bias: true),
                                              down: try load.linear(n.down, c.intermediateSize, d, bias: true)),
                                 activation: c.activation),
                residual: .parallelSharedNorm))
        }
        let finalNorm = try load.layerNorm(naming.finalNorm, width: d, epsilon: eps)
        let head = try load.head(naming.head, vocab: c.vocabSize, width: d, tiedTo: c.tieWordEmbeddings ? tokens : nil, bias: true)
        let info = ModelInfo(modelType: "phi", numLayers: c.layers, hiddenSize: d, numHeads: c.heads,
                             numKeyValueHeads: c.kvHeads, headDim: hd, vocabSize: c.vocabSize, maxPositions: c.maxPositions,
                             eosTokenID: c.eosTokenIDs.first, eosTokenIDs: c.eosTokenIDs, naming: naming)
        return DecoderModel(info: info, tokens: tokens, positions: nil, blocks: blocks, outputNorm: finalNorm, head: head)
    }

    /// The config's sizes against the tensors, before anything is built (``ConfigAgreement``).
    static func checkAgreement(_ c: PhiConfiguration, _ w: CheckpointWeights) throws(CheckpointError) {
        let check = ConfigAgreement(weights: w)
        let tokens = naming.embedTokens + ".weight"
        try check.extent(tokens, axis: 0, is: c.vocabSize, key: "vocab_size")
        try check.extent(tokens, axis: 1, is: c.hiddenSize, key: "hidden_size")
        try check.layers(c.layers, key: "num_hidden_layers") { BlockNames($0).norm + ".weight" }
        let first = BlockNames(0)
        try check.extent(first.q + ".weight", axis: 0, is: c.heads * c.headDim, key: "head_dim", value: c.headDim,
                         as: "num_attention_heads × head_dim")
        try check.extent(first.k + ".weight", axis: 0, is: c.kvHeads * c.headDim, key: "num_key_value_heads",
                         value: c.kvHeads, as: "num_key_value_heads × head_dim")
        try check.extent(first.up + ".weight", axis: 0, is: c.intermediateSize, key: "intermediate_size")
    }
}
