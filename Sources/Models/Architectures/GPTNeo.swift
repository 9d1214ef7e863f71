import SwiftSightCheckpoint
import SwiftSightHooks
import SwiftSightLayers

/// The fields of a Hugging Face GPT-Neo `config.json` that shape the computation.
package struct GPTNeoConfiguration: Sendable, Equatable {
    package var layers: Int
    package var heads: Int
    package var hiddenSize: Int
    package var innerSize: Int
    package var maxPositions: Int
    package var vocabSize: Int
    package var layerNormEpsilon: Float
    package var activation: Activation
    /// `local` layers' window (`window_size`), nil on `global` ones.
    package var slidingWindow: SlidingWindowLayout
    package var tieWordEmbeddings: Bool
    package var eosTokenID: Int?

    /// Reads and checks a GPT-Neo config; errors name the file and the key.
    ///
    /// transformers rebuilds `attention_layers` from `attention_types` (default
    /// `[[["global", "local"], 12]]`) and ignores a saved `attention_layers`, so this does too.
    package init(_ config: JSONConfig) throws(CheckpointError) {
        layers = try config.positiveInt(anyOf: ["num_layers", "num_hidden_layers"])
        heads = try config.positiveInt(anyOf: ["num_heads", "num_attention_heads"])
        hiddenSize = try config.positiveInt("hidden_size")
        guard hiddenSize % heads == 0 else {
            throw config.invalid("num_heads", String(heads), "hidden_size \(hiddenSize) is not divisible by it")
        }
        innerSize = config.contains("intermediate_size") ? try config.positiveInt("intermediate_size")
            : try config.product(4, hiddenSize, key: "hidden_size", value: hiddenSize, "the MLP width 4 × hidden_size")
        maxPositions = try config.positiveInt("max_position_embeddings")
        vocabSize = try config.positiveInt("vocab_size")
        layerNormEpsilon = try config.epsilon("layer_norm_epsilon", default: 1e-5)
        activation = try config.activation("activation_function", default: "gelu_new")
        let window = try config.positiveInt("window_size", default: 256)
        let types = try config.optionalRepeatedStringGroups("attention_types", limit: layers)
            ?? Array(repeating: ["global", "local"], count: 12).flatMap { $0 }
        guard types.count == layers else {
            throw config.invalid("attention_types", types.count, "expands to \(types.count) layers, num_layers is \(layers)")
        }
        slidingWindow = .perLayer(try types.map { type throws(CheckpointError) -> Int? in
            switch type {
            case "global": return nil
            case "local": return window
            default: throw config.invalid("attention_types", type, "supported attention types: global, local")
            }
        })
        tieWordEmbeddings = try config.bool("tie_word_embeddings", default: true)
        eosTokenID = try config.optionalInt("eos_token_id")
    }
}

extension GPTNeoConfiguration: ArchitectureConfiguration {}

/// GPT-Neo (`GPTNeoForCausalLM`): GPT-2's block (learned positions, pre-LayerNorm, gelu_new
/// MLP `c_fc`/`c_proj`, tied head) with separate bias-free q/k/v, an `out_proj` with a bias,
/// UNSCALED scores (no 1/√d, as trained), and `local` layers that see only the last
/// `window_size` tokens. Registered as `gpt_neo`; the loaded model is a ``DecoderModel``.
package enum GPTNeoModel: Architecture {
    /// The module names of the Hugging Face implementation. The attention's weights sit one
    /// level deeper (`attn.attention.q_proj`); `attn` returns the inner module's output
    /// unchanged, so the hook point is `attn` as for GPT-2.
    package static let naming = ModuleNaming(
        embedTokens: "transformer.wte", layer: "transformer.h.{i}", attention: "transformer.h.{i}.attn",
        mlp: "transformer.h.{i}.mlp", finalNorm: "transformer.ln_f", head: "lm_head")

    /// The learned position table.
    static let positionTable = "transformer.wpe"

    /// Block i's checkpoint names (without `.weight`).
    struct BlockNames {
        let ln1, q, k, v, o, ln2, up, down: String

        init(_ i: Int) {
            let (block, attention, mlp) = naming.paths(ofBlock: i)
            (ln1, ln2) = (block + ".ln_1", block + ".ln_2")
            let inner = attention + ".attention"
            (q, k, v, o) = (inner + ".q_proj", inner + ".k_proj", inner + ".v_proj", inner + ".out_proj")
            (up, down) = (mlp + ".c_fc", mlp + ".c_proj")
        }
    }

    /// Builds the model, every tensor's shape checked.
    package static func model(_ c: GPTNeoConfiguration, weights w: CheckpointWeights,
                              precision: WeightPrecision) throws(CheckpointError) -> DecoderModel {
        let d = c.hiddenSize
        let load = ParameterLoader(weights: w, precision: precision)
        try checkAgreement(c, load)
        let tokens = try load.embedding(naming.embedTokens, rows: c.vocabSize, width: d)
        let positions = try load.embedding(positionTable, rows: c.maxPositions, width: d)
        var blocks: [DecoderBlock] = []
        for i in 0..<c.layers {
            let n = BlockNames(i)
            blocks.append(DecoderBlock(
                inputNorm: try load.layerNorm(n.ln1, width: d, epsilon: c.layerNormEpsilon),
                attention: SelfAttention(
                    projections: .separate(q: try load.linear(n.q, d, d, bias: false), k: try load.linear(n.k, d, d, bias: false),
                                           v: try load.linear(n.v, d, d, bias: false)),
                    output: try load.linear(n.o, d, d, bias: true), rotary: nil,
                    kernel: ScaledDotProductAttention(scale: 1, window: c.slidingWindow.window(forLayer: i)),
                    heads: c.heads, kvHeads: c.heads, headDim: d / c.heads),
                postAttentionNorm: try load.layerNorm(n.ln2, width: d, epsilon: c.layerNormEpsilon),
                mlp: FeedForward(kind: .plain(up: try load.linear(n.up, d, c.innerSize, bias: true),
                                              down: try load.linear(n.down, c.innerSize, d, bias: true)),
                                 activation: c.activation),
                residual: .sequential))
        }
        let norm = try load.layerNorm(naming.finalNorm, width: d, epsilon: c.layerNormEpsilon)
        let head = try load.head(naming.head, vocab: c.vocabSize, width: d, tiedTo: c.tieWordEmbeddings ? tokens : nil)
        let info = ModelInfo(modelType: "gpt_neo", numLayers: c.layers, hiddenSize: d, numHeads: c.heads,
                             vocabSize: c.vocabSize, maxPositions: c.maxPositions, eosTokenID: c.eosTokenID, naming: naming)
        return DecoderModel(info: info, tokens: tokens, positions: positions, blocks: blocks, outputNorm: norm, head: head)
    }

    /// The config's sizes against the tensors, before anything is built (``ConfigAgreement``).
    static func checkAgreement(_ c: GPTNeoConfiguration, _ load: ParameterLoader) throws(CheckpointError) {
        let check = ConfigAgreement(weights: load.weights)
        func key(_ name: String) -> String { load.keyInFile(name) + ".weight" }
        try check.extent(key(naming.embedTokens), axis: 0, is: c.vocabSize, key: "vocab_size")
        try check.extent(key(naming.embedTokens), axis: 1, is: c.hiddenSize, key: "hidden_size")
        try check.extent(key(positionTable), axis: 0, is: c.maxPositions, key: "max_position_embeddings")
        try check.layers(c.layers, key: "num_layers") { key(BlockNames($0).ln1) }
        try check.extent(key(BlockNames(0).up), axis: 0, is: c.innerSize, key: "intermediate_size")
    }
}
