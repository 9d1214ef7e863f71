import Checkpoint
import Hooks
import Layers

/// GPT-2 (`GPT2LMHeadModel`): learned positions, pre-LayerNorm blocks, fused QKV in
/// Conv1D layout, and an output head tied to the token embeddings unless the checkpoint has
/// its own.
public struct GPT2Model: TransformerModel {
    /// One block's parameters.
    struct Block: Sendable {
        let ln1: LayerNorm, qkv: Linear, attentionOut: Linear
        let ln2: LayerNorm, up: Linear, down: Linear
        let attention: ScaledDotProductAttention
    }

    /// The module names of the Hugging Face implementation.
    public static let naming = ModuleNaming(
        embedTokens: "transformer.wte", layer: "transformer.h.{i}", attention: "transformer.h.{i}.attn",
        mlp: "transformer.h.{i}.mlp", finalNorm: "transformer.ln_f", head: "lm_head")

    public let configuration: GPT2Configuration
    public let info: ModelInfo
    var tokenTable: Embedding
    var positionTable: Embedding
    var blocks: [Block]
    var lnFinal: LayerNorm
    var head: Linear

    /// Builds the model from a config and its checkpoint, checking every tensor's shape.
    ///
    /// Every matrix product's weight is packed once here for the forward kernel
    /// (``Linear/packed(_:)``), in `weightPrecision`.
    public init(configuration c: GPT2Configuration, weights: CheckpointWeights,
                weightPrecision: WeightPrecision = .float32) throws(CheckpointError) {
        let w = try GPT2Weights(weights)
        let d = c.hiddenSize
        tokenTable = Embedding(table: try w.tensor("wte.weight", [c.vocabSize, d]))
        positionTable = Embedding(table: try w.tensor("wpe.weight", [c.maxPositions, d]))
        var blocks: [Block] = []
        for i in 0..<c.layers {
            let p = "h.\(i)."
            func norm(_ name: String) throws(CheckpointError) -> LayerNorm {
                LayerNorm(weight: try w.tensor(p + name + ".weight", [d]), bias: try w.tensor(p + name + ".bias", [d]),
                          epsilon: c.layerNormEpsilon)
            }
            func conv(_ name: String, _ inSize: Int, _ outSize: Int) throws(CheckpointError) -> Linear {
                Linear(weight: try w.tensor(p + name + ".weight", [inSize, outSize]),
                       bias: try w.tensor(p + name + ".bias", [outSize]), layout: .inputMajor).packed(weightPrecision)
            }
            var scale: Float = c.scaleAttentionWeights ? 1 / Float(d / c.heads).squareRoot() : 1
            if c.scaleAttentionByInverseLayerIndex { scale /= Float(i + 1) }
            blocks.append(Block(
                ln1: try norm("ln_1"), qkv: try conv("attn.c_attn", d, 3 * d), attentionOut: try conv("attn.c_proj", d, d),
                ln2: try norm("ln_2"), up: try conv("mlp.c_fc", d, c.innerSize), down: try conv("mlp.c_proj", c.innerSize, d),
                attention: ScaledDotProductAttention(scale: scale)))
        }
        self.blocks = blocks
        lnFinal = LayerNorm(weight: try w.tensor("ln_f.weight", [d]), bias: try w.tensor("ln_f.bias", [d]),
                            epsilon: c.layerNormEpsilon)
        let headWeight = c.tieWordEmbeddings ? tokenTable.table : try w.head([c.vocabSize, d])
        head = Linear(weight: headWeight, bias: nil, layout: .outputMajor).packed(weightPrecision)
        configuration = c
        info = ModelInfo(modelType: "gpt2", numLayers: c.layers, hiddenSize: d, numHeads: c.heads,
                         vocabSize: c.vocabSize, maxPositions: c.maxPositions, eosTokenID: c.eosTokenID,
                         naming: Self.naming)
    }

    public func tokenEmbeddings(_ batch: TokenBatch) -> Tensor {
        tokenTable(batch.ids, shape: [batch.rows])
    }

    public func firstLayerInput(tokenEmbeddings: Tensor, batch: TokenBatch) -> Tensor {
        tokenEmbeddings + positionTable(batch.positions, shape: [batch.rows])
    }

    public func block(_ layer: Int, _ input: Tensor, batch: TokenBatch, cache: KVCache?, hook: HookHandler) async throws -> Tensor {
        let b = blocks[layer]
        let d = info.hiddenSize
        var x = input
        var attnIn = b.ln1(x)
        try await hook(.attentionInput(layer), &attnIn)
        let qkv = b.qkv(attnIn)
        let attention = cache == nil && OptionalPoints.wants(.attentionProbabilities(layer))
            ? try await attentionFiringProbabilities(layer, qkv, batch: batch, hook: hook)
            : cache.map { cachedSelfAttention(b, qkv, layer: layer, batch: batch, cache: $0) } ?? selfAttention(b, qkv, batch: batch)
        var attnOut = b.attentionOut(attention)
        try await hook(.attentionOutput(layer), &attnOut)
        x.add(attnOut)
        var mlpIn = b.ln2(x)
        try await hook(.mlpInput(layer), &mlpIn)
        var hidden = b.up(mlpIn)
        configuration.activation.apply(&hidden)
        var mlpOut = b.down(hidden)
        try await hook(.mlpOutput(layer), &mlpOut)
        x.add(mlpOut)
        precondition(x.shape == [batch.rows, d])
        return x
    }

    /// Causal attention per sequence over the fused [rows, 3·hidden] projection, read in place.
    private func selfAttention(_ b: Block, _ qkv: Tensor, batch: TokenBatch) -> Tensor {
        let d = info.hiddenSize
        if qkv.isTracked { return trackedSelfAttention(b, qkv, batch: batch) }
        return Tensor(uninitializedShape: [batch.rows, d]) { out in
            qkv.withUnsafeBuffer { q in
                for s in 0..<batch.batchSize {
                    let length = batch.sequences[s].count
                    let base = q.baseAddress! + batch.offsets[s] * 3 * d
                    let shape = ScaledDotProductAttention.Shape(batch: 1, queryLength: length, keyLength: length,
                                                                heads: info.numHeads, kvHeads: info.numHeads,
                                                                headDim: d / info.numHeads)
                    b.attention(shape: shape,
                                queries: .init(base, rowStride: 3 * d), keys: .init(base + d, rowStride: 3 * d),
                                values: .init(base + 2 * d, rowStride: 3 * d), keyMask: nil,
                                output: out.baseAddress! + batch.offsets[s] * d, outputStride: d)
                }
            }
        }
    }

    /// The same attention through the tensor-level entry point, which records for backward.
    private func trackedSelfAttention(_ b: Block, _ qkv: Tensor, batch: TokenBatch) -> Tensor {
        let d = info.hiddenSize
        let outputs = (0..<batch.batchSize).map { s in
            let rows = batch.rows(of: s)
            let fused = qkv.rows(rows).reshaped([1, rows.count, 3 * d])
            let out = b.attention(queries: fused.slice(axis: 2, range: 0..<d), keys: fused.slice(axis: 2, range: d..<(2 * d)),
                                  values: fused.slice(axis: 2, range: (2 * d)..<(3 * d)), heads: info.numHeads)
            return out.reshaped([rows.count, d])
        }
        return outputs.count == 1 ? outputs[0] : Tensor(concatenatingRows: outputs)
    }

    public func finalNorm(_ x: Tensor) -> Tensor { lnFinal(x) }

    public func unembed(_ x: Tensor) -> Tensor { head(x) }
}
