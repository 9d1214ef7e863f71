import SwiftSightCheckpoint
import SwiftSightHooks
import SwiftSightLayers

/// The fields of an OPT `config.json` that shape the computation, with transformers 5.24's
/// OPTConfig defaults. The LayerNorms' ε is nn.LayerNorm's 1e-5 (OPT reads no key for it).
package struct OPTConfiguration: Sendable, Equatable {
    package var layers: Int
    package var heads: Int
    package var hiddenSize: Int
    package var ffnSize: Int
    package var maxPositions: Int
    package var vocabSize: Int
    package var activation: Activation
    /// `enable_bias`: biases on q, k, v, out_proj, fc1 and fc2.
    package var enableBias: Bool
    /// `layer_norm_elementwise_affine`: false gives LayerNorms without weight or bias tensors.
    package var layerNormAffine: Bool
    package var tieWordEmbeddings: Bool
    package var eosTokenIDs: [Int]

    /// nn.LayerNorm's default ε, fixed in transformers' OPT code.
    static let normEpsilon: Float = 1e-5

    /// Reads and checks the config; errors name the file and the key. Post-LayerNorm blocks
    /// (`do_layer_norm_before` false, OPT-350m), a `word_embed_proj_dim` other than
    /// `hidden_size` (project_in/project_out) and `_remove_final_layer_norm` are not supported:
    /// each is a typed error naming its key, never a silently different model.
    package init(_ config: JSONConfig) throws(CheckpointError) {
        let modelType = try config.string("model_type")
        guard modelType == "opt" else { throw config.unsupportedModelType(modelType, supported: ["opt"]) }
        layers = try config.positiveInt("num_hidden_layers", default: 12)
        heads = try config.positiveInt("num_attention_heads", default: 12)
        hiddenSize = try config.positiveInt("hidden_size", default: 768)
        ffnSize = try config.positiveInt("ffn_dim", default: 3072)
        maxPositions = try config.positiveInt("max_position_embeddings", default: 2048)
        vocabSize = try config.positiveInt("vocab_size", default: 50272)
        guard hiddenSize % heads == 0 else {
            throw config.invalid("num_attention_heads", heads, "hidden_size \(hiddenSize) is not divisible by it")
        }
        // The position table has 2 rows before position 0; the sum is checked, never trapped on.
        guard maxPositions <= Int.max - 2 else {
            throw config.invalid("max_position_embeddings", maxPositions, "the position table's size + 2 overflows")
        }
        guard try config.bool("do_layer_norm_before", default: true) else {
            throw config.invalid("do_layer_norm_before", false, "post-LayerNorm OPT blocks (OPT-350m) are not supported")
        }
        if let projection = try config.optionalInt("word_embed_proj_dim"), projection != hiddenSize {
            throw config.invalid("word_embed_proj_dim", projection,
                                 "project_in/project_out (word_embed_proj_dim != hidden_size \(hiddenSize)) are not supported")
        }
        if try config.bool("_remove_final_layer_norm", default: false) {
            throw config.invalid("_remove_final_layer_norm", true, "OPT without its final LayerNorm is not supported")
        }
        activation = try config.activation("activation_function", default: "relu")
        enableBias = try config.bool("enable_bias", default: true)
        layerNormAffine = try config.bool("layer_norm_elementwise_affine", default: true)
        tieWordEmbeddings = try config.bool("tie_word_embeddings", default: true)
        // OPTConfig's default eos_token_id is 2; a null one means none.
        eosTokenIDs = try config.keys.contains("eos_token_id") ? config.optionalInts("eos_token_id") ?? [] : [2]
    }
}

extension OPTConfiguration: ArchitectureConfiguration {}

/// OPT (`OPTForCausalLM`): learned positions looked up 2 rows on (position p reads row p + 2,
/// positions counting each sequence's real tokens, as transformers' cumsum of the attention
/// mask), pre-LayerNorm blocks, q/k/v/out_proj and a ReLU fc1/fc2 MLP with biases, a final
/// LayerNorm and a head tied to the token embeddings. Registered as `opt`; the loaded model
/// is a ``DecoderModel``.
package enum OPTModel: Architecture {
    /// transformers' module paths (`model.decoder.layers.3.self_attn`). OPT's MLP is no module:
    /// its input is `fc1`'s and its output `fc2`'s (before the residual add).
    package static let naming = ModuleNaming(
        embedTokens: "model.decoder.embed_tokens", layer: "model.decoder.layers.{i}",
        attention: "model.decoder.layers.{i}.self_attn", mlp: "model.decoder.layers.{i}.fc2",
        finalNorm: "model.decoder.final_layer_norm", head: "lm_head", mlpInputModule: "model.decoder.layers.{i}.fc1")

    /// The learned position table, max_position_embeddings + 2 rows.
    static let positionTable = "model.decoder.embed_positions"
    /// The rows before position 0 (`OPTLearnedPositionalEmbedding.offset`).
    static let positionOffset = 2

    /// Block i's checkpoint names (without `.weight`), under its module paths.
    struct BlockNames {
        let attentionNorm, q, k, v, out, mlpNorm, fc1, fc2: String

        init(_ i: Int) {
            let (block, attention, _) = naming.paths(ofBlock: i)
            (attentionNorm, mlpNorm) = (block + ".self_attn_layer_norm", block + ".final_layer_norm")
            (q, k, v, out) = (attention + ".q_proj", attention + ".k_proj", attention + ".v_proj", attention + ".out_proj")
            (fc1, fc2) = (block + ".fc1", block + ".fc2")
        }
    }

    /// Builds the model, every tensor's shape checked.
    ///
    /// transformers multiplies q by 1/√head_dim before the scores; the kernel's `scale` applies
    /// the same factor to the scores (equal up to rounding).
    package static func model(_ c: OPTConfiguration, weights w: CheckpointWeights,
                              precision: WeightPrecision) throws(CheckpointError) -> DecoderModel {
        let (d, hd, eps, bias) = (c.hiddenSize, c.hiddenSize / c.heads, OPTConfiguration.normEpsilon, c.enableBias)
        try checkAgreement(c, w)
        let load = ParameterLoader(weights: w, precision: precision)
        func norm(_ name: String) throws(CheckpointError) -> Norm {
            c.layerNormAffine ? try load.layerNorm(name, width: d, epsilon: eps)
                : load.layerNormWithoutParameters(name, width: d, epsilon: eps)
        }
        let tokens = try load.embedding(naming.embedTokens, rows: c.vocabSize, width: d)
        let positions = try load.embedding(positionTable, rows: c.maxPositions + positionOffset, width: d)
        var blocks: [DecoderBlock] = []
        for i in 0..<c.layers {
            let n = BlockNames(i)
            blocks.append(DecoderBlock(
                inputNorm: try norm(n.attentionNorm),
                attention: SelfAttention(
                    projections: .separate(q: try load.linear(n.q, d, d, bias: bias), k: try load.linear(n.k, d, d, bias: bias),
                                           v: try load.linear(n.v, d, d, bias: bias)),
                    output: try load.linear(n.out, d, d, bias: bias), rotary: nil,
                    kernel: ScaledDotProductAttention(scale: 1 / Float(hd).squareRoot(), window: nil),
                    heads: c.heads, kvHeads: c.heads, headDim: hd),
                postAttentionNorm: try norm(n.mlpNorm),
                mlp: FeedForward(kind: .plain(up: try load.linear(n.fc1, d, c.ffnSize, bias: bias),
                                              down: try load.linear(n.fc2, c.ffnSize, d, bias: bias)),
                                 activation: c.activation),
                residual: .sequential))
        }
        let finalNorm = try norm(naming.finalNorm)
        let head = try load.head(naming.head, vocab: c.vocabSize, width: d, tiedTo: c.tieWordEmbeddings ? tokens : nil)
        let info = ModelInfo(modelType: "opt", numLayers: c.layers, hiddenSize: d, numHeads: c.heads,
                             vocabSize: c.vocabSize, maxPositions: c.maxPositions,
                             eosTokenID: c.eosTokenIDs.first, eosTokenIDs: c.eosTokenIDs, naming: naming)
        var model = DecoderModel(info: info, tokens: tokens, positions: positions, blocks: blocks, outputNorm: finalNorm, head: head)
        model.positionOffset = positionOffset
        return model
    }

    /// The config's sizes against the tensors, before anything is built (``ConfigAgreement``);
    /// the layers are probed by `q_proj`, present whatever the norms and biases.
    static func checkAgreement(_ c: OPTConfiguration, _ w: CheckpointWeights) throws(CheckpointError) {
        let check = ConfigAgreement(weights: w)
        let tokens = naming.embedTokens + ".weight"
        try check.extent(tokens, axis: 0, is: c.vocabSize, key: "vocab_size")
        try check.extent(tokens, axis: 1, is: c.hiddenSize, key: "hidden_size")
        try check.extent(positionTable + ".weight", axis: 0, is: c.maxPositions + positionOffset, key: "max_position_embeddings",
                         value: c.maxPositions, as: "max_position_embeddings + 2")
        try check.layers(c.layers, key: "num_hidden_layers") { BlockNames($0).q + ".weight" }
        try check.extent(BlockNames(0).fc1 + ".weight", axis: 0, is: c.ffnSize, key: "ffn_dim")
    }
}
