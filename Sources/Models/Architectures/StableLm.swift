import SwiftSightCheckpoint
import SwiftSightHooks
import SwiftSightLayers

/// The fields of a StableLM (`stablelm`) `config.json` that shape the computation, with
/// transformers 5.24's StableLmConfig defaults: `partial_rotary_factor` 0.25, `hidden_act`
/// `silu`, `eos_token_id` 0, no q/k/v biases, sequential residual. StableLmAttention always
/// uses hidden_size / num_attention_heads as the head width, so a different `head_dim` is a
/// typed error (its rotary would read `head_dim` while its projections ignore it).
package struct StableLmConfiguration: Sendable, Equatable {
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
    /// `use_qkv_bias`: biases on q, k and v (never on `o_proj` or the MLP).
    package var qkvBias: Bool
    /// `use_parallel_residual`: attention and MLP both read `input_layernorm`'s output.
    package var parallelResidual: Bool
    package var rotary: RotaryEmbedding
    package var eosTokenIDs: [Int]

    /// Reads and checks the config; errors name the file and the key. Allocates nothing from
    /// the config's sizes (``StableLmModel`` checks them against the tensors first).
    package init(_ config: JSONConfig) throws(CheckpointError) {
        layers = try config.positiveInt("num_hidden_layers")
        heads = try config.positiveInt("num_attention_heads")
        hiddenSize = try config.positiveInt("hidden_size")
        kvHeads = try config.positiveInt("num_key_value_heads", default: heads)
        intermediateSize = try config.positiveInt("intermediate_size")
        vocabSize = try config.positiveInt("vocab_size")
        maxPositions = try config.positiveInt("max_position_embeddings", default: 4096)
        guard heads % kvHeads == 0 else {
            throw config.invalid("num_key_value_heads", kvHeads, "must divide num_attention_heads \(heads)")
        }
        guard hiddenSize % heads == 0 else {
            throw config.invalid("num_attention_heads", heads, "hidden_size \(hiddenSize) is not divisible by it")
        }
        headDim = hiddenSize / heads
        if config.contains("head_dim") {
            let explicit = try config.positiveInt("head_dim")
            guard explicit == headDim else {
                throw config.invalid("head_dim", explicit, "stablelm's attention is hidden_size / num_attention_heads (\(headDim)) wide")
            }
        }
        layerNormEpsilon = try config.epsilon("layer_norm_eps", default: 1e-5)
        activation = try config.activation("hidden_act", default: "silu")
        tieWordEmbeddings = try config.bool("tie_word_embeddings", default: false)
        qkvBias = try config.bool("use_qkv_bias", default: false)
        parallelResidual = try config.bool("use_parallel_residual", default: false)
        // StableLmLayerNormPerHead holds one bias-free LayerNorm per head, each with its own
        // weights; SelfAttention's queryNorm/keyNorm share one norm across heads.
        if try config.bool("qk_layernorm", default: false) {
            throw config.invalid("qk_layernorm", true, "per-head LayerNorms with their own weights (StableLmLayerNormPerHead) are not supported")
        }
        rotary = try config.rotaryEmbedding(headDim: headDim, maxPositions: maxPositions, defaultPartialFactor: 0.25)
        // StableLmConfig's default eos_token_id is 0; a null one means none.
        eosTokenIDs = try config.keys.contains("eos_token_id") ? config.optionalInts("eos_token_id") ?? [] : [0]
    }
}

extension StableLmConfiguration: ArchitectureConfiguration {}

/// StableLM (`StableLmForCausalLM`): LayerNorms with biases, q/k/v (biases when
/// `use_qkv_bias`) and a bias-free `o_proj`, half-split rotary on the first
/// `partial_rotary_factor` of each head, a SwiGLU MLP, and either sequential residuals
/// (`post_attention_layernorm` before the MLP) or, with `use_parallel_residual`, attention and
/// MLP both from `input_layernorm` (``DecoderBlock/Residual/parallelSharedNorm``). Registered
/// as `stablelm`.
package enum StableLmModel: Architecture {
    /// `model.layers.3.self_attn`, `model.layers.3.mlp`, `model.norm`, `lm_head`.
    package static let naming = ModuleNaming(
        embedTokens: "model.embed_tokens", layer: "model.layers.{i}", attention: "model.layers.{i}.self_attn",
        mlp: "model.layers.{i}.mlp", finalNorm: "model.norm", head: "lm_head")

    /// Block i's checkpoint names (without `.weight`), under its module paths.
    struct BlockNames {
        let inputNorm, postAttentionNorm, q, k, v, o, gate, up, down: String

        init(_ i: Int) {
            let (block, attention, mlp) = naming.paths(ofBlock: i)
            (inputNorm, postAttentionNorm) = (block + ".input_layernorm", block + ".post_attention_layernorm")
            (q, k, v, o) = (attention + ".q_proj", attention + ".k_proj", attention + ".v_proj", attention + ".o_proj")
            (gate, up, down) = (mlp + ".gate_proj", mlp + ".up_proj", mlp + ".down_proj")
        }
    }

    package static func model(_ c: StableLmConfiguration, weights w: CheckpointWeights,
                              precision: WeightPrecision) throws(CheckpointError) -> DecoderModel {
        let (d, hd, eps) = (c.hiddenSize, c.headDim, c.layerNormEpsilon)
        let (qWidth, kvWidth) = (c.heads * hd, c.kvHeads * hd)  // qWidth is hidden_size
        try checkAgreement(c, w)
        let load = ParameterLoader(weights: w, precision: precision)
        let rotary = c.rotary.resolved()
        let tokens = try load.embedding(naming.embedTokens, rows: c.vocabSize, width: d)
        var blocks: [DecoderBlock] = []
        for i in 0..<c.layers {
            let n = BlockNames(i)
            let inputNorm = try load.layerNorm(n.inputNorm, width: d, epsilon: eps)
            blocks.append(DecoderBlock(
                inputNorm: inputNorm,
                attention: SelfAttention(
                    projections: .separate(q: try load.linear(n.q, d, qWidth, bias: c.qkvBias),
                                           k: try load.linear(n.k, d, kvWidth, bias: c.qkvBias),
                                           v: try load.linear(n.v, d, kvWidth, bias: c.qkvBias)),
                    output: try load.linear(n.o, qWidth, d, bias: false), rotary: rotary,
                    kernel: ScaledDotProductAttention(scale: 1 / Float(hd).squareRoot()),
                    heads: c.heads, kvHeads: c.kvHeads, headDim: hd),
                postAttentionNorm: c.parallelResidual ? inputNorm : try load.layerNorm(n.postAttentionNorm, width: d, epsilon: eps),
                mlp: FeedForward(kind: .gated(gate: try load.linear(n.gate, d, c.intermediateSize, bias: false),
                                              up: try load.linear(n.up, d, c.intermediateSize, bias: false),
                                              down: try load.linear(n.down, c.intermediateSize, d, bias: false)),
                                 activation: c.activation),
                residual: c.parallelResidual ? .parallelSharedNorm : .sequential))
        }
        let norm = try load.layerNorm(naming.finalNorm, width: d, epsilon: eps)
        let head = try load.head(naming.head, vocab: c.vocabSize, width: d, tiedTo: c.tieWordEmbeddings ? tokens : nil)
        let info = ModelInfo(modelType: "stablelm", numLayers: c.layers, hiddenSize: d, numHeads: c.heads,
                             numKeyValueHeads: c.kvHeads, headDim: hd, vocabSize: c.vocabSize, maxPositions: c.maxPositions,
                             eosTokenID: c.eosTokenIDs.first, eosTokenIDs: c.eosTokenIDs, naming: naming)
        return DecoderModel(info: info, tokens: tokens, positions: nil, blocks: blocks, outputNorm: norm, head: head)
    }

    /// The config's sizes against the tensors, before anything is built (``ConfigAgreement``).
    static func checkAgreement(_ c: StableLmConfiguration, _ w: CheckpointWeights) throws(CheckpointError) {
        let check = ConfigAgreement(weights: w)
        let tokens = naming.embedTokens + ".weight"
        try check.extent(tokens, axis: 0, is: c.vocabSize, key: "vocab_size")
        try check.extent(tokens, axis: 1, is: c.hiddenSize, key: "hidden_size")
        try check.layers(c.layers, key: "num_hidden_layers") { BlockNames($0).inputNorm + ".weight" }
        let first = BlockNames(0)
        try check.extent(first.k + ".weight", axis: 0, is: c.kvHeads * c.headDim, key: "num_key_value_heads",
                         value: c.kvHeads, as: "num_key_value_heads × head_dim")
        try check.extent(first.gate + ".weight", axis: 0, is: c.intermediateSize, key: "intermediate_size")
    }
}
