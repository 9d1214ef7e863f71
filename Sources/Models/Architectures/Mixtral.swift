import SwiftSightCheckpoint
import SwiftSightHooks
import SwiftSightLayers

/// The fields of a Mixtral `config.json` that shape the computation: Mistral's attention
/// (no biases, `sliding_window` on every layer when set) and a sparse mixture-of-experts MLP
/// (`num_local_experts` experts of width `intermediate_size`, `num_experts_per_tok` per token),
/// with transformers 5.24's MixtralConfig defaults. `router_jitter_noise` only acts in
/// training and `output_router_logits`/`router_aux_loss_coef` only add a loss: all ignored.
package struct MixtralConfiguration: Sendable, Equatable {
    package var layers: Int
    package var heads: Int
    package var kvHeads: Int
    package var hiddenSize: Int
    package var headDim: Int
    package var intermediateSize: Int
    package var experts: Int
    package var expertsPerToken: Int
    package var maxPositions: Int
    package var vocabSize: Int
    package var rmsNormEpsilon: Float
    package var activation: Activation
    package var tieWordEmbeddings: Bool
    package var slidingWindow: SlidingWindowLayout
    package var rotary: RotaryEmbedding
    package var eosTokenIDs: [Int]

    /// Reads and checks the config; errors name the file and the key. Allocates nothing from
    /// the config's sizes (``MixtralModel`` checks them against the tensors first).
    package init(_ config: JSONConfig) throws(CheckpointError) {
        let modelType = try config.string("model_type")
        guard modelType == "mixtral" else { throw config.unsupportedModelType(modelType, supported: ["mixtral"]) }
        layers = try config.positiveInt("num_hidden_layers")
        heads = try config.positiveInt("num_attention_heads")
        hiddenSize = try config.positiveInt("hidden_size")
        kvHeads = try config.positiveInt("num_key_value_heads", default: heads)
        intermediateSize = try config.positiveInt("intermediate_size")
        vocabSize = try config.positiveInt("vocab_size")
        maxPositions = try config.positiveInt("max_position_embeddings", default: 131_072)
        guard heads % kvHeads == 0 else {
            throw config.invalid("num_key_value_heads", kvHeads, "must divide num_attention_heads \(heads)")
        }
        // `getattr(config, "head_dim", None) or hidden_size // num_attention_heads`.
        if config.contains("head_dim") {
            headDim = try config.positiveInt("head_dim")
        } else {
            guard hiddenSize % heads == 0 else {
                throw config.invalid("num_attention_heads", heads, "hidden_size \(hiddenSize) is not divisible by it")
            }
            headDim = hiddenSize / heads
        }
        _ = try config.product(heads, headDim, key: "head_dim", value: headDim, "the query width num_attention_heads × head_dim")
        // transformers' attribute_map aliases `num_experts` to `num_local_experts`.
        experts = try config.positiveInt(anyOf: ["num_local_experts", "num_experts"], default: 8)
        expertsPerToken = try config.positiveInt("num_experts_per_tok", default: 2)
        guard expertsPerToken <= experts else {
            throw config.invalid("num_experts_per_tok", expertsPerToken, "must not exceed num_local_experts \(experts)")
        }
        rmsNormEpsilon = try config.epsilon("rms_norm_eps", default: 1e-5)
        activation = try config.activation("hidden_act", default: "silu")
        tieWordEmbeddings = try config.bool("tie_word_embeddings", default: false)
        slidingWindow = config.contains("sliding_window") ? .everyLayer(try config.positiveInt("sliding_window")) : .fullyCausal
        rotary = try config.rotaryEmbedding(headDim: headDim, maxPositions: maxPositions)
        eosTokenIDs = try config.optionalInts("eos_token_id") ?? []
    }
}

extension MixtralConfiguration: ArchitectureConfiguration {}

/// Mixtral (`MixtralForCausalLM`): Mistral's blocks with the MLP replaced by a sparse mixture
/// of experts (``MixtureOfExperts``). transformers 5.24 runs the experts fused
/// (`mlp.experts.gate_up_proj`) under the module `model.layers.i.mlp`, but saves and loads the
/// original per-expert names under `block_sparse_moe`, which are what is read here.
package enum MixtralModel: Architecture {
    package static let naming = ModuleNaming(
        embedTokens: "model.embed_tokens", layer: "model.layers.{i}", attention: "model.layers.{i}.self_attn",
        mlp: "model.layers.{i}.mlp", finalNorm: "model.norm", head: "lm_head")

    /// Block i's checkpoint names (without `.weight`).
    struct BlockNames {
        let inputNorm, q, k, v, o, postAttentionNorm, router: String
        let moe: String

        init(_ i: Int) {
            let (block, attention, _) = naming.paths(ofBlock: i)
            (inputNorm, postAttentionNorm) = (block + ".input_layernorm", block + ".post_attention_layernorm")
            (q, k, v, o) = (attention + ".q_proj", attention + ".k_proj", attention + ".v_proj", attention + ".o_proj")
            moe = block + ".block_sparse_moe"
            router = moe + ".gate"
        }

        /// Expert e's gate (w1), down (w2) and up (w3) projections.
        func expert(_ e: Int) -> (gate: String, down: String, up: String) {
            let p = moe + ".experts.\(e)"
            return (p + ".w1", p + ".w2", p + ".w3")
        }
    }

    package static func model(_ c: MixtralConfiguration, weights w: CheckpointWeights,
                              precision: WeightPrecision) throws(CheckpointError) -> DecoderModel {
        let (d, hd, f) = (c.hiddenSize, c.headDim, c.intermediateSize)
        let (qWidth, kvWidth) = (c.heads * hd, c.kvHeads * hd)
        try checkAgreement(c, w)
        let load = ParameterLoader(weights: w, precision: precision)
        let rotary = c.rotary.resolved()
        let tokens = try load.embedding(naming.embedTokens, rows: c.vocabSize, width: d)
        var blocks: [DecoderBlock] = []
        for i in 0..<c.layers {
            let n = BlockNames(i)
            var experts: [FeedForward] = []
            for e in 0..<c.experts {
                let names = n.expert(e)
                experts.append(FeedForward(kind: .gated(gate: try load.linear(names.gate, d, f, bias: false),
                                                        up: try load.linear(names.up, d, f, bias: false),
                                                        down: try load.linear(names.down, f, d, bias: false)),
                                           activation: c.activation))
            }
            let moe = MixtureOfExperts(router: try load.linear(n.router, d, c.experts, bias: false), experts: experts,
                                       topK: c.expertsPerToken, normalizeTopK: true)
            blocks.append(DecoderBlock(
                inputNorm: try load.rmsNorm(n.inputNorm, width: d, epsilon: c.rmsNormEpsilon),
                attention: SelfAttention(
                    projections: .separate(q: try load.linear(n.q, d, qWidth, bias: false),
                                           k: try load.linear(n.k, d, kvWidth, bias: false),
                                           v: try load.linear(n.v, d, kvWidth, bias: false)),
                    output: try load.linear(n.o, qWidth, d, bias: false), rotary: rotary,
                    kernel: ScaledDotProductAttention(scale: 1 / Float(hd).squareRoot(), window: c.slidingWindow.window(forLayer: i)),
                    heads: c.heads, kvHeads: c.kvHeads, headDim: hd),
                postAttentionNorm: try load.rmsNorm(n.postAttentionNorm, width: d, epsilon: c.rmsNormEpsilon),
                mlp: FeedForward(kind: .mixture(moe), activation: c.activation),
                residual: .sequential))
        }
        let norm = try load.rmsNorm(naming.finalNorm, width: d, epsilon: c.rmsNormEpsilon)
        let head = try load.head(naming.head, vocab: c.vocabSize, width: d, tiedTo: c.tieWordEmbeddings ? tokens : nil)
        let info = ModelInfo(modelType: "mixtral", numLayers: c.layers, hiddenSize: d, numHeads: c.heads,
                             numKeyValueHeads: c.kvHeads, headDim: hd, vocabSize: c.vocabSize, maxPositions: c.maxPositions,
                             eosTokenID: c.eosTokenIDs.first, eosTokenIDs: c.eosTokenIDs, naming: naming)
        return DecoderModel(info: info, tokens: tokens, positions: nil, blocks: blocks, outputNorm: norm, head: head)
    }

    /// The config's sizes against the tensors, before anything is built (``ConfigAgreement``).
    static func checkAgreement(_ c: MixtralConfiguration, _ w: CheckpointWeights) throws(CheckpointError) {
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
        try check.extent(first.router + ".weight", axis: 0, is: c.experts, key: "num_local_experts")
        try check.extent(first.expert(0).gate + ".weight", axis: 0, is: c.intermediateSize, key: "intermediate_size")
    }
}
