import SwiftSightCheckpoint
import SwiftSightHooks
import SwiftSightLayers

/// The fields of a Qwen3-MoE `config.json` that shape the computation, with transformers
/// 5.24's Qwen3MoeConfig defaults: Qwen3's attention (per-head q/k RMSNorms, `attention_bias`
/// on q/k/v/o, `head_dim` when present else hidden / heads, `sliding_window` on every layer only
/// with `use_sliding_window`), and on each layer either a sparse mixture of experts
/// (`num_local_experts`, alias `num_experts`, of width `moe_intermediate_size`, `num_experts_per_tok` per token, weights
/// renormalised only with `norm_topk_prob`) or a dense MLP of width `intermediate_size` (layers
/// in `mlp_only_layers`, layers whose index + 1 is not a multiple of `decoder_sparse_step`, and
/// every layer when `num_experts` is 0).
package struct Qwen3MoeConfiguration: Sendable, Equatable {
    package var layers: Int
    package var heads: Int
    package var kvHeads: Int
    package var hiddenSize: Int
    package var headDim: Int
    package var intermediateSize: Int
    package var moeIntermediateSize: Int
    package var experts: Int
    package var expertsPerToken: Int
    package var normalizeTopK: Bool
    /// Per layer: whether it runs the mixture of experts (else the dense MLP).
    package var sparseLayers: [Bool]
    package var maxPositions: Int
    package var vocabSize: Int
    package var rmsNormEpsilon: Float
    package var activation: Activation
    package var tieWordEmbeddings: Bool
    package var attentionBias: Bool
    package var slidingWindow: SlidingWindowLayout
    package var rotary: RotaryEmbedding
    package var eosTokenIDs: [Int]

    /// Reads and checks the config; errors name the file and the key. Allocates O(layers).
    package init(_ config: JSONConfig) throws(CheckpointError) {
        let modelType = try config.string("model_type")
        guard modelType == "qwen3_moe" else { throw config.unsupportedModelType(modelType, supported: ["qwen3_moe"]) }
        layers = try config.positiveInt("num_hidden_layers")
        heads = try config.positiveInt("num_attention_heads")
        hiddenSize = try config.positiveInt("hidden_size")
        kvHeads = try config.positiveInt("num_key_value_heads", default: heads)
        intermediateSize = try config.positiveInt("intermediate_size", default: 6144)
        moeIntermediateSize = try config.positiveInt("moe_intermediate_size", default: 768)
        vocabSize = try config.positiveInt("vocab_size")
        maxPositions = try config.positiveInt("max_position_embeddings", default: 32768)
        guard heads % kvHeads == 0 else {
            throw config.invalid("num_key_value_heads", kvHeads, "must divide num_attention_heads \(heads)")
        }
        // `getattr(config, "head_dim", hidden_size // num_attention_heads)`.
        if config.contains("head_dim") {
            headDim = try config.positiveInt("head_dim")
        } else {
            guard hiddenSize % heads == 0 else {
                throw config.invalid("num_attention_heads", heads, "hidden_size \(hiddenSize) is not divisible by it")
            }
            headDim = hiddenSize / heads
        }
        _ = try config.product(heads, headDim, key: "head_dim", value: headDim, "the query width num_attention_heads × head_dim")
        // Saved as `num_local_experts` (transformers' attribute_map aliases `num_experts` to it).
        let expertsKey = config.contains("num_local_experts") ? "num_local_experts" : "num_experts"
        experts = try config.int(expertsKey, default: 128)
        guard experts >= 0 else { throw config.invalid(expertsKey, experts, "must not be negative") }
        expertsPerToken = try config.positiveInt("num_experts_per_tok", default: 8)
        guard experts == 0 || expertsPerToken <= experts else {
            throw config.invalid("num_experts_per_tok", expertsPerToken, "must not exceed \(expertsKey) \(experts)")
        }
        normalizeTopK = try config.bool("norm_topk_prob", default: false)
        let step = try config.positiveInt("decoder_sparse_step", default: 1)
        let denseOnly = try config.optionalInts("mlp_only_layers") ?? []
        let anyExperts = experts > 0
        sparseLayers = (0..<layers).map { i in !denseOnly.contains(i) && anyExperts && (i + 1) % step == 0 }
        rmsNormEpsilon = try config.epsilon("rms_norm_eps", default: 1e-6)
        activation = try config.activation("hidden_act", default: "silu")
        tieWordEmbeddings = try config.bool("tie_word_embeddings", default: false)
        attentionBias = try config.bool("attention_bias", default: false)
        if try config.bool("use_sliding_window", default: false) {
            if config.contains("sliding_window") {
                slidingWindow = .everyLayer(try config.positiveInt("sliding_window"))
            } else {
                slidingWindow = config.keys.contains("sliding_window") ? .fullyCausal : .everyLayer(4096)
            }
        } else {
            slidingWindow = .fullyCausal
        }
        rotary = try config.rotaryEmbedding(headDim: headDim, maxPositions: maxPositions)
        eosTokenIDs = try config.optionalInts("eos_token_id") ?? []
    }
}

extension Qwen3MoeConfiguration: ArchitectureConfiguration {}

/// Qwen3-MoE (`Qwen3MoeForCausalLM`): Qwen3's attention, and per layer a sparse mixture of
/// experts (``MixtureOfExperts``, router `mlp.gate`, experts `mlp.experts.E.gate_proj/up_proj/
/// down_proj` as transformers 5.24 saves them) or Llama's dense MLP (`mlp.gate_proj`, ...).
package enum Qwen3MoeModel: Architecture {
    package static let naming = LlamaModel.naming

    package static func model(_ c: Qwen3MoeConfiguration, weights w: CheckpointWeights,
                              precision: WeightPrecision) throws(CheckpointError) -> DecoderModel {
        let (d, hd, eps) = (c.hiddenSize, c.headDim, c.rmsNormEpsilon)
        let (qWidth, kvWidth) = (c.heads * hd, c.kvHeads * hd)
        try checkAgreement(c, w)
        let load = ParameterLoader(weights: w, precision: precision)
        let rotary = c.rotary.resolved()
        let tokens = try load.embedding(naming.embedTokens, rows: c.vocabSize, width: d)
        func gated(_ prefix: String, _ width: Int) throws(CheckpointError) -> FeedForward {
            FeedForward(kind: .gated(gate: try load.linear(prefix + ".gate_proj", d, width, bias: false),
                                     up: try load.linear(prefix + ".up_proj", d, width, bias: false),
                                     down: try load.linear(prefix + ".down_proj", width, d, bias: false)),
                        activation: c.activation)
        }
        var blocks: [DecoderBlock] = []
        for i in 0..<c.layers {
            let n = Qwen3Model.BlockNames(i)
            let mlpPath = naming.paths(ofBlock: i).mlp
            let mlp: FeedForward
            if c.sparseLayers[i] {
                var experts: [FeedForward] = []
                for e in 0..<c.experts { experts.append(try gated(mlpPath + ".experts.\(e)", c.moeIntermediateSize)) }
                mlp = FeedForward(kind: .mixture(MixtureOfExperts(
                    router: try load.linear(mlpPath + ".gate", d, c.experts, bias: false), experts: experts,
                    topK: c.expertsPerToken, normalizeTopK: c.normalizeTopK)), activation: c.activation)
            } else {
                mlp = try gated(mlpPath, c.intermediateSize)
            }
            blocks.append(DecoderBlock(
                inputNorm: try load.rmsNorm(n.llama.inputNorm, width: d, epsilon: eps),
                attention: SelfAttention(
                    projections: .separate(q: try load.linear(n.llama.q, d, qWidth, bias: c.attentionBias),
                                           k: try load.linear(n.llama.k, d, kvWidth, bias: c.attentionBias),
                                           v: try load.linear(n.llama.v, d, kvWidth, bias: c.attentionBias)),
                    output: try load.linear(n.llama.o, qWidth, d, bias: c.attentionBias), rotary: rotary,
                    kernel: ScaledDotProductAttention(scale: 1 / Float(hd).squareRoot(), window: c.slidingWindow.window(forLayer: i)),
                    heads: c.heads, kvHeads: c.kvHeads, headDim: hd,
                    queryNorm: try load.rmsNorm(n.qNorm, width: hd, epsilon: eps),
                    keyNorm: try load.rmsNorm(n.kNorm, width: hd, epsilon: eps)),
                postAttentionNorm: try load.rmsNorm(n.llama.postAttentionNorm, width: d, epsilon: eps),
                mlp: mlp,
                residual: .sequential))
        }
        let norm = try load.rmsNorm(naming.finalNorm, width: d, epsilon: eps)
        let head = try load.head(naming.head, vocab: c.vocabSize, width: d, tiedTo: c.tieWordEmbeddings ? tokens : nil)
        let info = ModelInfo(modelType: "qwen3_moe", numLayers: c.layers, hiddenSize: d, numHeads: c.heads,
                             numKeyValueHeads: c.kvHeads, headDim: hd, vocabSize: c.vocabSize, maxPositions: c.maxPositions,
                             eosTokenID: c.eosTokenIDs.first, eosTokenIDs: c.eosTokenIDs, naming: naming)
        return DecoderModel(info: info, tokens: tokens, positions: nil, blocks: blocks, outputNorm: norm, head: head)
    }

    /// The config's sizes against the tensors, before anything is built (``ConfigAgreement``).
    static func checkAgreement(_ c: Qwen3MoeConfiguration, _ w: CheckpointWeights) throws(CheckpointError) {
        let check = ConfigAgreement(weights: w)
        let tokens = naming.embedTokens + ".weight"
        try check.extent(tokens, axis: 0, is: c.vocabSize, key: "vocab_size")
        try check.extent(tokens, axis: 1, is: c.hiddenSize, key: "hidden_size")
        try check.layers(c.layers, key: "num_hidden_layers") { Qwen3Model.BlockNames($0).llama.inputNorm + ".weight" }
        let first = Qwen3Model.BlockNames(0)
        try check.extent(first.qNorm + ".weight", axis: 0, is: c.headDim, key: "head_dim")
        try check.extent(first.llama.k + ".weight", axis: 0, is: c.kvHeads * c.headDim, key: "num_key_value_heads",
                         value: c.kvHeads, as: "num_key_value_heads × head_dim")
        for i in 0..<c.layers {
            let mlp = naming.paths(ofBlock: i).mlp
            if c.sparseLayers[i] {
                try check.extent(mlp + ".gate.weight", axis: 0, is: c.experts, key: "num_local_experts")
                try check.extent(mlp + ".experts.0.gate_proj.weight", axis: 0, is: c.moeIntermediateSize, key: "moe_intermediate_size")
            } else {
                try check.extent(mlp + ".gate_proj.weight", axis: 0, is: c.intermediateSize, key: "intermediate_size")
            }
        }
    }
}
