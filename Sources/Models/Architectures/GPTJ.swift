import SwiftSightCheckpoint
import SwiftSightHooks
import SwiftSightLayers

/// The fields of a GPT-J `config.json` that shape the computation, with transformers 5.24's
/// GPTJConfig defaults. The rotary base is 10000 in transformers' code (no config key); the
/// dropouts do nothing at inference.
package struct GPTJConfiguration: Sendable, Equatable {
    package var layers: Int
    package var heads: Int
    package var hiddenSize: Int
    package var innerSize: Int
    package var maxPositions: Int
    package var vocabSize: Int
    package var layerNormEpsilon: Float
    package var activation: Activation
    package var tieWordEmbeddings: Bool
    /// `rotary_dim` features of each head rotated, neighbours paired (`rotate_every_two`).
    package var rotary: RotaryEmbedding
    package var eosTokenIDs: [Int]

    /// Features per head.
    package var headDim: Int { hiddenSize / heads }

    /// Reads and checks the config; errors name the file and the key. Allocates nothing from
    /// the config's sizes (``GPTJModel`` checks them against the tensors first).
    package init(_ config: JSONConfig) throws(CheckpointError) {
        layers = try config.positiveInt(anyOf: ["n_layer", "num_hidden_layers"])
        heads = try config.positiveInt(anyOf: ["n_head", "num_attention_heads"])
        hiddenSize = try config.positiveInt(anyOf: ["n_embd", "hidden_size"])
        guard hiddenSize % heads == 0 else {
            throw config.invalid("n_head", heads, "n_embd \(hiddenSize) is not divisible by it")
        }
        // transformers: n_inner or 4 * n_embd; the product is checked, never trapped on.
        innerSize = config.contains("n_inner") ? try config.positiveInt("n_inner")
            : try config.product(4, hiddenSize, key: "n_embd", value: hiddenSize, "the MLP width 4 × n_embd")
        maxPositions = try config.positiveInt(anyOf: ["n_positions", "max_position_embeddings"], default: 2048)
        vocabSize = try config.positiveInt("vocab_size")
        layerNormEpsilon = try config.epsilon("layer_norm_epsilon", default: 1e-5)
        activation = try config.activation("activation_function", default: "gelu_new")
        tieWordEmbeddings = try config.bool("tie_word_embeddings", default: false)
        // transformers rotates `rotary_dim or n_embd` features: null works only with one head.
        let headDim = hiddenSize / heads
        let rotaryDim = try config.optionalInt("rotary_dim") ?? hiddenSize
        guard rotaryDim > 0, rotaryDim % 2 == 0, rotaryDim <= headDim else {
            throw config.invalid("rotary_dim", rotaryDim, "must be positive, even and at most the head size \(headDim)")
        }
        rotary = RotaryEmbedding(rotaryDimension: rotaryDim, base: 10_000, layout: .interleaved)
        // GPTJConfig's default eos_token_id is 50256; a null one means none.
        eosTokenIDs = try config.keys.contains("eos_token_id") ? config.optionalInts("eos_token_id") ?? [] : [50256]
    }
}

extension GPTJConfiguration: ArchitectureConfiguration {}

/// GPT-J (`GPTJForCausalLM`): attention and MLP both read ONE LayerNorm of the block input
/// (`ln_1`) and are added to it (``DecoderBlock/Residual/parallelSharedNorm``); q, k, v and
/// `out_proj` without biases; rotary positions on the first `rotary_dim` features of each head
/// with neighbouring features paired (``RotaryEmbedding/Layout/interleaved``); a `fc_in`/`fc_out`
/// MLP with biases; an `lm_head` with a bias. Registered as `gptj`.
package enum GPTJModel: Architecture {
    /// `transformer.h.3.attn`, `transformer.h.3.mlp`, `transformer.ln_f`, `lm_head`.
    package static let naming = ModuleNaming(
        embedTokens: "transformer.wte", layer: "transformer.h.{i}", attention: "transformer.h.{i}.attn",
        mlp: "transformer.h.{i}.mlp", finalNorm: "transformer.ln_f", head: "lm_head")

    /// Block i's checkpoint names (without `.weight`), under its module paths.
    struct BlockNames {
        let norm, q, k, v, o, up, down: String

        init(_ i: Int) {
            let (block, attention, mlp) = naming.paths(ofBlock: i)
            norm = block + ".ln_1"
            (q, k, v, o) = (attention + ".q_proj", attention + ".k_proj", attention + ".v_proj", attention + ".out_proj")
            (up, down) = (mlp + ".fc_in", mlp + ".fc_out")
        }
    }

    package static func model(_ c: GPTJConfiguration, weights w: CheckpointWeights,
                              precision: WeightPrecision) throws(CheckpointError) -> DecoderModel {
        let d = c.hiddenSize
        try checkAgreement(c, w)
        let load = ParameterLoader(weights: w, precision: precision)
        let rotary = c.rotary.resolved()
        let tokens = try load.embedding(naming.embedTokens, rows: c.vocabSize, width: d)
        var blocks: [DecoderBlock] = []
        for i in 0..<c.layers {
            let n = BlockNames(i)
            let norm = try load.layerNorm(n.norm, width: d, epsilon: c.layerNormEpsilon)
            blocks.append(DecoderBlock(
                inputNorm: norm,
                attention: SelfAttention(
                    projections: .separate(q: try load.linear(n.q, d, d, bias: false), k: try load.linear(n.k, d, d, bias: false),
                                           v: try load.linear(n.v, d, d, bias: false)),
                    output: try load.linear(n.o, d, d, bias: false), rotary: rotary,
                    kernel: ScaledDotProductAttention(scale: 1 / Float(c.headDim).squareRoot()),
                    heads: c.heads, kvHeads: c.heads, headDim: c.headDim),
                postAttentionNorm: norm,
                mlp: FeedForward(kind: .plain(up: try load.linear(n.up, d, c.innerSize, bias: true),
                                              down: try load.linear(n.down, c.innerSize, d, bias: true)),
                                 activation: c.activation),
                residual: .parallelSharedNorm))
        }
        let finalNorm = try load.layerNorm(naming.finalNorm, width: d, epsilon: c.layerNormEpsilon)
        let head = try load.head(naming.head, vocab: c.vocabSize, width: d, tiedTo: c.tieWordEmbeddings ? tokens : nil, bias: true)
        let info = ModelInfo(modelType: "gptj", numLayers: c.layers, hiddenSize: d, numHeads: c.heads,
                             vocabSize: c.vocabSize, maxPositions: c.maxPositions, eosTokenID: c.eosTokenIDs.first,
                             eosTokenIDs: c.eosTokenIDs, naming: naming)
        return DecoderModel(info: info, tokens: tokens, positions: nil, blocks: blocks, outputNorm: finalNorm, head: head)
    }

    /// The config's sizes against the tensors, before anything is built (``ConfigAgreement``).
    static func checkAgreement(_ c: GPTJConfiguration, _ w: CheckpointWeights) throws(CheckpointError) {
        let check = ConfigAgreement(weights: w)
        let tokens = naming.embedTokens + ".weight"
        try check.extent(tokens, axis: 0, is: c.vocabSize, key: "vocab_size")
        try check.extent(tokens, axis: 1, is: c.hiddenSize, key: "n_embd")
        try check.layers(c.layers, key: "n_layer") { BlockNames($0).norm + ".weight" }
        try check.extent(BlockNames(0).up + ".weight", axis: 0, is: c.innerSize, key: "n_inner")
    }
}
