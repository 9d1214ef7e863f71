import SwiftSightCheckpoint
import SwiftSightHooks
import SwiftSightLayers

/// The fields of a GPT-NeoX (Pythia) `config.json` that shape the computation.
package struct GPTNeoXConfiguration: Sendable, Equatable {
    package var layers: Int
    package var heads: Int
    package var hiddenSize: Int
    package var intermediateSize: Int
    package var maxPositions: Int
    package var vocabSize: Int
    package var layerNormEpsilon: Float
    package var activation: Activation
    /// Attention and MLP both read the block input and are added together (`use_parallel_residual`).
    package var parallelResidual: Bool
    /// Biases on `query_key_value` and `dense` (`attention_bias`).
    package var attentionBias: Bool
    package var tieWordEmbeddings: Bool
    /// Rotates the first `rotary_pct` of each head (`partial_rotary_factor` in transformers 5).
    package var rotary: RotaryEmbedding
    package var eosTokenID: Int?
    /// Every id of `eos_token_id`.
    package var eosTokenIDs: [Int]

    /// Features per head.
    package var headDim: Int { hiddenSize / heads }

    /// Reads and checks the config; errors name the file and the key.
    ///
    /// Nothing is allocated from the config's sizes here; ``GPTNeoXModel`` checks them against
    /// the checkpoint's tensors before it builds anything.
    package init(_ config: JSONConfig) throws(CheckpointError) {
        layers = try config.positiveInt("num_hidden_layers")
        heads = try config.positiveInt("num_attention_heads")
        hiddenSize = try config.positiveInt("hidden_size")
        intermediateSize = try config.positiveInt("intermediate_size")
        vocabSize = try config.positiveInt("vocab_size")
        maxPositions = try config.positiveInt("max_position_embeddings", default: 2048)
        guard hiddenSize % heads == 0 else {
            throw config.invalid("num_attention_heads", heads, "hidden_size \(hiddenSize) is not divisible by it")
        }
        layerNormEpsilon = try config.epsilon("layer_norm_eps", default: 1e-5)
        activation = try config.activation("hidden_act", default: "gelu")
        parallelResidual = try config.bool("use_parallel_residual", default: true)
        attentionBias = try config.bool("attention_bias", default: true)
        tieWordEmbeddings = try config.bool("tie_word_embeddings", default: false)
        rotary = try config.rotaryEmbedding(headDim: hiddenSize / heads, maxPositions: maxPositions, defaultPartialFactor: 0.25)
        eosTokenIDs = try config.optionalInts("eos_token_id") ?? []
        eosTokenID = eosTokenIDs.first
    }
}

extension GPTNeoXConfiguration: ArchitectureConfiguration {}

/// GPT-NeoX / Pythia (`GPTNeoXForCausalLM`): pre-LayerNorm blocks whose attention and MLP
/// both read the block input and are added together (`use_parallel_residual`, the default) or
/// run one after the other; a fused `query_key_value` projection laid out per head
/// ([heads, 3, headDim]); partial rotary positions (`rotary_pct`); an untied head
/// (`embed_out` in the checkpoint, `lm_head` in transformers 5). Registered as `gpt_neox`; the
/// loaded model is a ``DecoderModel``.
package enum GPTNeoXModel: Architecture {
    /// `gpt_neox.layers.3.attention`, `gpt_neox.final_layer_norm`, and the head `lm_head`
    /// (transformers 5 renames the checkpoint's `embed_out` to it).
    package static let naming = ModuleNaming(
        embedTokens: "gpt_neox.embed_in", layer: "gpt_neox.layers.{i}", attention: "gpt_neox.layers.{i}.attention",
        mlp: "gpt_neox.layers.{i}.mlp", finalNorm: "gpt_neox.final_layer_norm", head: "lm_head")

    /// Block i's checkpoint names (without `.weight`), under its module paths.
    struct BlockNames {
        let inputNorm, qkv, dense, postAttentionNorm, up, down: String

        init(_ i: Int) {
            let (block, attention, mlp) = naming.paths(ofBlock: i)
            (inputNorm, postAttentionNorm) = (block + ".input_layernorm", block + ".post_attention_layernorm")
            (qkv, dense) = (attention + ".query_key_value", attention + ".dense")
            (up, down) = (mlp + ".dense_h_to_4h", mlp + ".dense_4h_to_h")
        }
    }

    /// Builds the model, every tensor's shape checked; the rotary frequencies are computed once
    /// the tensors agree.
    package static func model(_ c: GPTNeoXConfiguration, weights w: CheckpointWeights,
                              precision: WeightPrecision) throws(CheckpointError) -> DecoderModel {
        let d = c.hiddenSize
        try checkAgreement(c, w)
        let load = ParameterLoader(weights: w, precision: precision)
        let rotary = c.rotary.resolved()
        let tokens = try load.embedding(naming.embedTokens, rows: c.vocabSize, width: d)
        func norm(_ name: String) throws(CheckpointError) -> Norm { try load.layerNorm(name, width: d, epsilon: c.layerNormEpsilon) }
        var blocks: [DecoderBlock] = []
        for i in 0..<c.layers {
            let n = BlockNames(i)
            blocks.append(DecoderBlock(
                inputNorm: try norm(n.inputNorm),
                attention: SelfAttention(
                    projections: .fusedPerHead(try load.linear(n.qkv, d, 3 * d, bias: c.attentionBias)),
                    output: try load.linear(n.dense, d, d, bias: c.attentionBias), rotary: rotary,
                    kernel: ScaledDotProductAttention(scale: 1 / Float(c.headDim).squareRoot()),
                    heads: c.heads, kvHeads: c.heads, headDim: c.headDim),
                postAttentionNorm: try norm(n.postAttentionNorm),
                mlp: FeedForward(kind: .plain(up: try load.linear(n.up, d, c.intermediateSize, bias: true),
                                              down: try load.linear(n.down, c.intermediateSize, d, bias: true)),
                                 activation: c.activation),
                residual: c.parallelResidual ? .parallel : .sequential))
        }
        let finalNorm = try norm(naming.finalNorm)
        // The head's checkpoint name: `embed_out` (older and transformers-saved checkpoints) or `lm_head`.
        let headName = w.contains("embed_out.weight") || !w.contains("lm_head.weight") ? "embed_out" : "lm_head"
        let head = try load.head(headName, vocab: c.vocabSize, width: d, tiedTo: c.tieWordEmbeddings ? tokens : nil)
        let info = ModelInfo(modelType: "gpt_neox", numLayers: c.layers, hiddenSize: d, numHeads: c.heads,
                             vocabSize: c.vocabSize, maxPositions: c.maxPositions, eosTokenID: c.eosTokenID,
                             eosTokenIDs: c.eosTokenIDs, naming: naming)
        return DecoderModel(info: info, tokens: tokens, positions: nil, blocks: blocks, outputNorm: finalNorm, head: head)
    }

    /// The config's sizes against the tensors, before anything is built (``ConfigAgreement``).
    static func checkAgreement(_ c: GPTNeoXConfiguration, _ w: CheckpointWeights) throws(CheckpointError) {
        let check = ConfigAgreement(weights: w)
        let tokens = naming.embedTokens + ".weight"
        try check.extent(tokens, axis: 0, is: c.vocabSize, key: "vocab_size")
        try check.extent(tokens, axis: 1, is: c.hiddenSize, key: "hidden_size")
        try check.layers(c.layers, key: "num_hidden_layers") { BlockNames($0).inputNorm + ".weight" }
        try check.extent(BlockNames(0).up + ".weight", axis: 0, is: c.intermediateSize, key: "intermediate_size")
    }
}
