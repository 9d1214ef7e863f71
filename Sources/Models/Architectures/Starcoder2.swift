import SwiftSightCheckpoint
import SwiftSightHooks
import SwiftSightLayers

/// The fields of a StarCoder2 `config.json` that shape the computation, with transformers
/// 5.24's Starcoder2Config defaults: `norm_epsilon` 1e-5, `use_bias` true, `hidden_act`
/// gelu_pytorch_tanh, `tie_word_embeddings` true, `sliding_window` null (none), `eos_token_id`
/// 50256, `max_position_embeddings` 4096; `head_dim` honoured when present (MistralAttention's
/// `getattr`). The three dropouts do nothing at inference.
package struct Starcoder2Configuration: Sendable, Equatable {
    package var layers: Int
    package var heads: Int
    package var kvHeads: Int
    package var hiddenSize: Int
    package var headDim: Int
    package var intermediateSize: Int
    package var maxPositions: Int
    package var vocabSize: Int
    package var normEpsilon: Float
    package var activation: Activation
    package var tieWordEmbeddings: Bool
    /// `use_bias`: biases on q, k, v, o, `c_fc` and `c_proj` (the LayerNorms always have them).
    package var useBias: Bool
    /// `sliding_window` on every layer (Mistral's mask), or none when null or absent.
    package var slidingWindow: SlidingWindowLayout
    package var rotary: RotaryEmbedding
    package var eosTokenIDs: [Int]

    /// Reads and checks the config; errors name the file and the key. Allocates nothing from
    /// the config's sizes (``Starcoder2Model`` checks them against the tensors first).
    package init(_ config: JSONConfig) throws(CheckpointError) {
        layers = try config.positiveInt("num_hidden_layers")
        heads = try config.positiveInt("num_attention_heads")
        hiddenSize = try config.positiveInt("hidden_size")
        kvHeads = try config.positiveInt("num_key_value_heads", default: 2)
        intermediateSize = try config.positiveInt("intermediate_size")
        vocabSize = try config.positiveInt("vocab_size")
        maxPositions = try config.positiveInt("max_position_embeddings", default: 4096)
        guard heads % kvHeads == 0 else {
            throw config.invalid("num_key_value_heads", kvHeads, "must divide num_attention_heads \(heads)")
        }
        headDim = try config.headDim(heads: heads, hiddenSize: hiddenSize)
        normEpsilon = try config.epsilon("norm_epsilon", default: 1e-5)
        activation = try config.activation("hidden_act", default: "gelu_pytorch_tanh")
        tieWordEmbeddings = try config.bool("tie_word_embeddings", default: true)
        useBias = try config.bool("use_bias", default: true)
        slidingWindow = config.contains("sliding_window") ? .everyLayer(try config.positiveInt("sliding_window")) : .fullyCausal
        rotary = try config.rotaryEmbedding(headDim: headDim, maxPositions: maxPositions)
        // Starcoder2Config's default eos_token_id is 50256; a null one means none.
        eosTokenIDs = try config.keys.contains("eos_token_id") ? config.optionalInts("eos_token_id") ?? [] : [50256]
    }
}

extension Starcoder2Configuration: ArchitectureConfiguration {}

/// StarCoder2 (`Starcoder2ForCausalLM`): Mistral's block with LayerNorms (weight and bias)
/// instead of RMSNorms, q/k/v/o with biases (`use_bias`), grouped-query rotary attention with an
/// optional sliding window, and a plain `c_fc`/`c_proj` MLP; `model.norm`; a head tied to the
/// token embeddings by default. Registered as `starcoder2`.
package enum Starcoder2Model: Architecture {
    /// `model.layers.3.self_attn`, `model.layers.3.mlp`, `model.norm`, `lm_head`.
    package static let naming = ModuleNaming(
        embedTokens: "model.embed_tokens", layer: "model.layers.{i}", attention: "model.layers.{i}.self_attn",
        mlp: "model.layers.{i}.mlp", finalNorm: "model.norm", head: "lm_head")

    /// Block i's checkpoint names (without `.weight`), under its module paths.
    struct BlockNames {
        let inputNorm, q, k, v, o, postAttentionNorm, up, down: String

        init(_ i: Int) {
            let (block, attention, mlp) = naming.paths(ofBlock: i)
            (inputNorm, postAttentionNorm) = (block + ".input_layernorm", block + ".post_attention_layernorm")
            (q, k, v, o) = (attention + ".q_proj", attention + ".k_proj", attention + ".v_proj", attention + ".o_proj")
            (up, down) = (mlp + ".c_fc", mlp + ".c_proj")
        }
    }

    package static func model(_ c: Starcoder2Configuration, weights w: CheckpointWeights,
                              precision: WeightPrecision) throws(CheckpointError) -> DecoderModel {
        let (d, hd, eps, bias) = (c.hiddenSize, c.headDim, c.normEpsilon, c.useBias)
        let (qWidth, kvWidth) = (c.heads * hd, c.kvHeads * hd)  // the config checked the larger product
        try checkAgreement(c, w)
        let load = ParameterLoader(weights: w, precision: precision)
        let rotary = c.rotary.resolved()
        let tokens = try load.embedding(naming.embedTokens, rows: c.vocabSize, width: d)
        var blocks: [DecoderBlock] = []
        for i in 0..<c.layers {
            let n = BlockNames(i)
            blocks.append(DecoderBlock(
                inputNorm: try load.layerNorm(n.inputNorm, width: d, epsilon: eps),
                attention: SelfAttention(
                    projections: .separate(q: try load.linear(n.q, d, qWidth, bias: bias), k: try load.linear(n.k, d, kvWidth, bias: bias),
                                           v: try load.linear(n.v, d, kvWidth, bias: bias)),
                    output: try load.linear(n.o, qWidth, d, bias: bias), rotary: rotary,
                    kernel: ScaledDotProductAttention(scale: 1 / Float(hd).squareRoot(), window: c.slidingWindow.window(forLayer: i)),
                    heads: c.heads, kvHeads: c.kvHeads, headDim: hd),
                postAttentionNorm: try load.layerNorm(n.postAttentionNorm, width: d, epsilon: eps),
                mlp: FeedForward(kind: .plain(up: try load.linear(n.up, d, c.intermediateSize, bias: bias),
                                              down: try load.linear(n.down, c.intermediateSize, d, bias: bias)),
                                 activation: c.activation),
                residual: .sequential))
        }
        let finalNorm = try load.layerNorm(naming.finalNorm, width: d, epsilon: eps)
        let head = try load.head(naming.head, vocab: c.vocabSize, width: d, tiedTo: c.tieWordEmbeddings ? tokens : nil)
        let info = ModelInfo(modelType: "starcoder2", numLayers: c.layers, hiddenSize: d, numHeads: c.heads,
                             numKeyValueHeads: c.kvHeads, headDim: hd, vocabSize: c.vocabSize, maxPositions: c.maxPositions,
                             eosTokenID: c.eosTokenIDs.first, eosTokenIDs: c.eosTokenIDs, naming: naming)
        return DecoderModel(info: info, tokens: tokens, positions: nil, blocks: blocks, outputNorm: finalNorm, head: head)
    }

    /// The config's sizes against the tensors, before anything is built (``ConfigAgreement``).
    static func checkAgreement(_ c: Starcoder2Configuration, _ w: CheckpointWeights) throws(CheckpointError) {
        let check = ConfigAgreement(weights: w)
        let tokens = naming.embedTokens + ".weight"
        try check.extent(tokens, axis: 0, is: c.vocabSize, key: "vocab_size")
        try check.extent(tokens, axis: 1, is: c.hiddenSize, key: "hidden_size")
        try check.layers(c.layers, key: "num_hidden_layers") { BlockNames($0).inputNorm + ".weight" }
        let first = BlockNames(0)
        try check.extent(first.q + ".weight", axis: 0, is: c.heads * c.headDim, key: "head_dim", value: c.headDim,
                         as: "num_attention_heads × head_dim")
        try check.extent(first.k + ".weight", axis: 0, is: c.kvHeads * c.headDim, key: "num_key_value_heads",
                         value: c.kvHeads, as: "num_key_value_heads × head_dim")
        try check.extent(first.up + ".weight", axis: 0, is: c.intermediateSize, key: "intermediate_size")
    }
}
