import Layers

extension GPT2Model {
    /// Causal attention of the new rows over each sequence's cached prefix plus themselves.
    ///
    /// For each sequence the new rows' keys and values (read in place from the fused
    /// [rows, 3·hidden] projection) are appended to `cache`, then the queries attend over all
    /// of them: queries sit at the end, so query i sees the prefix and new rows up to i. Values
    /// are read untracked (gradients do not flow through a cache).
    func cachedSelfAttention(_ b: Block, _ qkv: Tensor, layer: Int, batch: TokenBatch, cache: KVCache) -> Tensor {
        let d = info.hiddenSize
        precondition(cache.sequences.count == batch.batchSize, "one cache entry per sequence")
        return Tensor(uninitializedShape: [batch.rows, d]) { out in
            qkv.withUnsafeBuffer { q in
                for s in 0..<batch.batchSize {
                    let length = batch.sequences[s].count
                    let base = q.baseAddress! + batch.offsets[s] * 3 * d
                    let entry = cache.sequences[s]
                    precondition(entry.length(layer: layer) == batch.pastLengths[s],
                                 "cached prefix of sequence \(s) at layer \(layer) is not \(batch.pastLengths[s]) positions")
                    entry.append(layer: layer, rows: length, keys: base + d, values: base + 2 * d, rowStride: 3 * d) { k, v, keys in
                        let shape = ScaledDotProductAttention.Shape(batch: 1, queryLength: length, keyLength: keys,
                                                                    heads: info.numHeads, kvHeads: info.numHeads,
                                                                    headDim: d / info.numHeads)
                        b.attention(shape: shape, queries: .init(base, rowStride: 3 * d), keys: .init(k, rowStride: d),
                                    values: .init(v, rowStride: d), keyMask: nil,
                                    output: out.baseAddress! + batch.offsets[s] * d, outputStride: d)
                    }
                }
            }
        }
    }
}
