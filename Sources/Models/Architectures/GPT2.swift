import SwiftSightCheckpoint
import SwiftSightHooks
import SwiftSightLayers

/// The fields of a Hugging Face GPT-2 `config.json` that shape the computation.
package struct GPT2Configuration: Sendable, Equatable {
    package var layers: Int
    package var heads: Int
    package var hiddenSize: Int
    package var innerSize: Int
    package var maxPositions: Int
    package var vocabSize: Int
    package var layerNormEpsilon: Float
    package var activation: Activation
    package var scaleAttentionWeights: Bool
    package var scaleAttentionByInverseLayerIndex: Bool
    package var tieWordEmbeddings: Bool
    package var eosTokenID: Int?

    /// Reads and checks a GPT-2 config; errors name the file and the key.
    ///
    /// Every size must be positive and every product of sizes fit in `Int`; nothing here is
    /// allocated from the config. Whether the checkpoint's tensors have these sizes is checked
    /// by ``GPT2Model/model(_:weights:precision:)`` before it builds anything.
    package init(_ config: JSONConfig) throws(CheckpointError) {
        layers = try config.positiveInt("n_layer")
        heads = try config.positiveInt("n_head")
        hiddenSize = try config.positiveInt("n_embd")
        // transformers: n_inner or 4 * n_embd; the product is checked, never trapped on.
        innerSize = config.contains("n_inner") ? try config.positiveInt("n_inner")
            : try config.product(4, hiddenSize, key: "n_embd", value: hiddenSize, "the MLP width 4 × n_embd")
        maxPositions = try config.positiveInt(anyOf: ["n_positions", "n_ctx"])
        vocabSize = try config.positiveInt("vocab_size")
        guard hiddenSize % heads == 0 else {
            throw config.invalid("n_head", String(heads), "n_embd \(hiddenSize) is not divisible by it")
        }
        layerNormEpsilon = try config.epsilon("layer_norm_epsilon", default: 1e-5)
        activation = try config.activation("activation_function", default: "gelu_new")
        scaleAttentionWeights = try config.bool("scale_attn_weights", default: true)
        scaleAttentionByInverseLayerIndex = try config.bool("scale_attn_by_inverse_layer_idx", default: false)
        tieWordEmbeddings = try config.bool("tie_word_embeddings", default: true)
        eosTokenID = try config.optionalInt("eos_token_id")
    }
}

extension GPT2Configuration: ArchitectureConfiguration {}

/// GPT-2 (`GPT2LMHeadModel`): learned positions, pre-LayerNorm blocks, fused QKV in
/// Conv1D layout, and an output head tied to the token embeddings unless the checkpoint has
/// its own. Registered as `gpt2`; the loaded model is a ``DecoderModel``.
package enum GPT2Model: Architecture {
    /// The module names of the Hugging Face implementation: `transformer.h.3.attn`,
    /// `transformer.ln_f`, `lm_head`.
    package static let naming = ModuleNaming(
        embedTokens: "transformer.wte", layer: "transformer.h.{i}", attention: "transformer.h.{i}.attn",
        mlp: "transformer.h.{i}.mlp", finalNorm: "transformer.ln_f", head: "lm_head")

    /// The learned position table.
    static let positionTable = "transformer.wpe"

    /// Block i's checkpoint names (without `.weight`), under its module paths.
    struct BlockNames {
        let ln1, qkv, attentionOut, ln2, up, down: String

        init(_ i: Int) {
            let (block, attention, mlp) = naming.paths(ofBlock: i)
            (ln1, ln2) = (block + ".ln_1", block + ".ln_2")
            (qkv, attentionOut) = (attention + ".c_attn", attention + ".c_proj")
            (up, down) = (mlp + ".c_fc", mlp + ".c_proj")
        }
    }

    /// Builds the model, every tensor's shape checked.
    ///
    /// `transformers` saves `transformer.h.0.attn.c_attn.weight`; the original `gpt2`
    /// repository has `h.0.attn.c_attn.weight` (plus `h.N.attn.bias` causal-mask buffers, which
    /// are unused). The prefix is decided once from the token embedding's key; parameter
    /// gradients keep the `transformer.` names either way.
    package static func model(_ c: GPT2Configuration, weights w: CheckpointWeights,
                              precision: WeightPrecision) throws(CheckpointError) -> DecoderModel {
        let prefix: String
        if w.contains("transformer.wte.weight") {
            prefix = "transformer."
        } else if w.contains("wte.weight") {
            prefix = ""
        } else {
            throw CheckpointError.missingTensor(key: "transformer.wte.weight (or wte.weight)", file: w.source.path, index: nil)
        }
        let load = ParameterLoader(weights: w, precision: precision) { name in
            name.hasPrefix("transformer.") ? prefix + name.dropFirst("transformer.".count) : name
        }
        let d = c.hiddenSize
        try checkAgreement(c, load)
        let tokens = try load.embedding(naming.embedTokens, rows: c.vocabSize, width: d)
        let positions = try load.embedding(positionTable, rows: c.maxPositions, width: d)
        var blocks: [DecoderBlock] = []
        for i in 0..<c.layers {
            let n = BlockNames(i)
            func conv(_ name: String, _ inSize: Int, _ outSize: Int) throws(CheckpointError) -> Projection {
                try load.linear(name, inSize, outSize, bias: true, layout: .inputMajor)
            }
            var scale: Float = c.scaleAttentionWeights ? 1 / Float(d / c.heads).squareRoot() : 1
            if c.scaleAttentionByInverseLayerIndex { scale /= Float(i + 1) }
            blocks.append(DecoderBlock(
                inputNorm: try load.layerNorm(n.ln1, width: d, epsilon: c.layerNormEpsilon),
                attention: SelfAttention(projections: .fusedColumns(try conv(n.qkv, d, 3 * d)), output: try conv(n.attentionOut, d, d),
                                         rotary: nil, kernel: ScaledDotProductAttention(scale: scale),
                                         heads: c.heads, kvHeads: c.heads, headDim: d / c.heads),
                postAttentionNorm: try load.layerNorm(n.ln2, width: d, epsilon: c.layerNormEpsilon),
                mlp: FeedForward(kind: .plain(up: try conv(n.up, d, c.innerSize), down: try conv(n.down, c.innerSize, d)),
                                 activation: c.activation),
                residual: .sequential))
        }
        let norm = try load.layerNorm(naming.finalNorm, width: d, epsilon: c.layerNormEpsilon)
        let head = try load.head(naming.head, vocab: c.vocabSize, width: d, tiedTo: c.tieWordEmbeddings ? tokens : nil)
        let info = ModelInfo(modelType: "gpt2", numLayers: c.layers, hiddenSize: d, numHeads: c.heads,
                             vocabSize: c.vocabSize, maxPositions: c.maxPositions, eosTokenID: c.eosTokenID, naming: naming)
        return DecoderModel(info: info, tokens: tokens, positions: positions, blocks: blocks, outputNorm: norm, head: head)
    }

    /// The config's sizes against the tensors, before anything is built (``ConfigAgreement``).
    static func checkAgreement(_ c: GPT2Configuration, _ load: ParameterLoader) throws(CheckpointError) {
        let check = ConfigAgreement(weights: load.weights)
        func key(_ name: String) -> String { load.keyInFile(name) + ".weight" }
        try check.extent(key(naming.embedTokens), axis: 0, is: c.vocabSize, key: "vocab_size")
        try check.extent(key(naming.embedTokens), axis: 1, is: c.hiddenSize, key: "n_embd")
        try check.extent(key(positionTable), axis: 0, is: c.maxPositions, key: "n_positions")
        try check.layers(c.layers, key: "n_layer") { key(BlockNames($0).ln1) }
        try check.extent(key(BlockNames(0).up), axis: 1, is: c.innerSize, key: "n_inner")
    }
}
