import SwiftSightHooks
import SwiftSightLayers

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
        var probabilities = Tensor.zeros(unchecked: [batch.rows, heads, keyWidth])
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
                        Self.pack(scratch, keys: keys, into: packed.baseAddress!, row: row, rows: length,
                                  heads: heads, keyWidth: keyWidth)
                    }
                }
            }
        }
        try await Self.fire(point, &probabilities, hook: hook)
        // Output = P·V per sequence and head over the cached values.
        return Self.product(probabilities, batch: batch, inputs: inputs) { s, body in
            cache.sequences[s].withCached(layer: layer) { _, values, keys in body(values, keys, kvWidth) }
        }
    }
}
