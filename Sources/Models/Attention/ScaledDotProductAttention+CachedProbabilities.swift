import Hooks
import Layers

extension ScaledDotProductAttention {
    /// Attention of a generation step's new rows over each sequence's cached prefix plus
    /// themselves, firing `attention_probabilities.layer` in between, as
    /// ``firingProbabilities(_:layer:batch:hook:)`` does without a cache.
    ///
    /// The probabilities are packed [rows, heads, longest keys]: new row i of sequence s holds
    /// its keys 0..<past(s) + i + 1 (past first). The new keys and values are appended to
    /// `cache` first; the output is then P·V of whatever the hook left, over the cached values.
    /// - Throws: what `hook` throws; ``TraceError/shapeMismatch(_:expected:got:)`` if it changed
    ///   the shape.
    /// - Complexity: O(sequences · heads · rows · keys · headDim).
    func cachedFiringProbabilities(_ inputs: AttentionInputs, layer: Int, batch: TokenBatch, cache: KVCache,
                                   hook: HookHandler) async throws -> Tensor {
        let point = HookPoint.attentionProbabilities(layer)
        let (heads, width, kvWidth, hd) = (inputs.heads, inputs.queries.width, inputs.keys.width, inputs.headDim)
        let (qs, ks) = (inputs.queries.stride, inputs.keys.stride)
        precondition(cache.sequences.count == batch.batchSize, "one cache entry per sequence")
        precondition(inputs.values.stride == ks, "keys and values are cached with one row stride")
        let keyWidth = (0..<batch.batchSize).map { batch.pastLengths[$0] + batch.sequences[$0].count }.max() ?? 0
        var probabilities = Tensor.zeros([batch.rows, heads, keyWidth])
        probabilities.withUnsafeMutableBuffer { packed in
            withPointers(inputs) { q, k, v in
                for s in 0..<batch.batchSize {
                    let (length, row) = (batch.sequences[s].count, batch.offsets[s])
                    let entry = cache.sequences[s]
                    precondition(entry.length(layer: layer) == batch.pastLengths[s],
                                 "cached prefix of sequence \(s) at layer \(layer) is not \(batch.pastLengths[s]) positions")
                    entry.append(layer: layer, rows: length, keys: k + row * ks, values: v + row * ks, rowStride: ks) { kc, vc, keys in
                        let shape = Shape(batch: 1, queryLength: length, keyLength: keys,
                                          heads: heads, kvHeads: inputs.kvHeads, headDim: hd)
                        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: heads * length * keys)
                        let discarded = UnsafeMutablePointer<Float>.allocate(capacity: length * width)
                        defer { scratch.deallocate(); discarded.deallocate() }
                        self(shape: shape, queries: .init(q + row * qs, rowStride: qs), keys: .init(kc, rowStride: kvWidth),
                             values: .init(vc, rowStride: kvWidth), keyMask: nil,
                             output: discarded, outputStride: width, probabilities: scratch)
                        for h in 0..<heads {
                            for i in 0..<length {
                                (packed.baseAddress! + ((row + i) * heads + h) * keyWidth)
                                    .update(from: scratch + (h * length + i) * keys, count: keys)
                            }
                        }
                    }
                }
            }
        }
        let expected = probabilities.shape
        try await hook(point, &probabilities)
        guard probabilities.shape == expected else {
            throw TraceError.shapeMismatch(point, expected: expected, got: probabilities.shape)
        }
        // Output = P·V per sequence and head over the cached values.
        let group = heads / inputs.kvHeads
        var output = Tensor.zeros([batch.rows, width])
        output.withUnsafeMutableBuffer { out in
            probabilities.withUnsafeBuffer { p in
                for s in 0..<batch.batchSize {
                    let row = batch.offsets[s]
                    let length = batch.sequences[s].count
                    cache.sequences[s].withCached(layer: layer) { _, values, keys in
                        for h in 0..<heads {
                            GEMM.multiply(m: length, n: hd, k: keys,
                                          a: p.baseAddress! + (row * heads + h) * keyWidth, lda: heads * keyWidth,
                                          b: values + (h / group) * hd, ldb: kvWidth,
                                          c: out.baseAddress! + row * width + h * hd, ldc: width)
                        }
                    }
                }
            }
        }
        return output
    }
}
