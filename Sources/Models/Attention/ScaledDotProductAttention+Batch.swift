import SwiftSightHooks
import SwiftSightLayers

extension ScaledDotProductAttention {
    /// Causal self-attention of a block over a packed batch, the way every architecture runs
    /// it: with a KV cache (generation), firing `attention_probabilities.layer` when someone
    /// asked for it (``BlockContext/wants(_:)``; differentiable through the probabilities when the
    /// inputs are tracked), recorded for gradients when the inputs are tracked, or the plain
    /// in-place kernel. Returns [rows, heads · headDim].
    /// - Throws: what `hook` throws; ``TraceError/shapeMismatch(_:expected:got:)`` if it changed
    ///   the probabilities' shape.
    package func attend(_ inputs: AttentionInputs, layer: Int, context: BlockContext) async throws -> Tensor {
        let (batch, hook) = (context.batch, context.hook)
        if let cache = context.cache {
            if context.wants(.attentionProbabilities(layer)) {
                return try await cachedFiringProbabilities(inputs, layer: layer, batch: batch, cache: cache, hook: hook)
            }
            return cached(inputs, layer: layer, batch: batch, cache: cache)
        }
        if context.wants(.attentionProbabilities(layer)) {
            return try await firingProbabilities(inputs, layer: layer, batch: batch, hook: hook)
        }
        return inputs.isTracked ? tracked(inputs, batch: batch) : inPlace(inputs, batch: batch)
    }

    /// Calls `body` with the base pointers of queries, keys and values (at their first column).
    func withPointers<R>(_ inputs: AttentionInputs,
                         _ body: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>) -> R) -> R {
        inputs.queries.tensor.withUnsafeBuffer { q in
            inputs.keys.tensor.withUnsafeBuffer { k in
                inputs.values.tensor.withUnsafeBuffer { v in
                    body(q.baseAddress! + inputs.queries.column, k.baseAddress! + inputs.keys.column,
                         v.baseAddress! + inputs.values.column)
                }
            }
        }
    }

    /// The kernel per sequence, reading the inputs in place. With `keepingProbabilities`, each
    /// sequence's probabilities ([heads, length, length]) are handed to it before moving on.
    func inPlace(_ inputs: AttentionInputs, batch: TokenBatch,
                 keepingProbabilities take: ((Int, UnsafePointer<Float>) -> Void)? = nil) -> Tensor {
        let (width, hd, heads) = (inputs.queries.width, inputs.headDim, inputs.heads)
        let (qs, ks, vs) = (inputs.queries.stride, inputs.keys.stride, inputs.values.stride)
        return Tensor(uncheckedShape: [batch.rows, width]) { out in
            withPointers(inputs) { q, k, v in
                for s in 0..<batch.batchSize {
                    let (length, row) = (batch.sequences[s].count, batch.offsets[s])
                    let shape = Shape(batch: 1, queryLength: length, keyLength: length,
                                      heads: heads, kvHeads: inputs.kvHeads, headDim: hd)
                    let scratch = take.map { _ in UnsafeMutablePointer<Float>.allocate(capacity: max(1, heads * length * length)) }
                    defer { scratch?.deallocate() }
                    self(shape: shape, queries: .init(q + row * qs, rowStride: qs), keys: .init(k + row * ks, rowStride: ks),
                         values: .init(v + row * vs, rowStride: vs), keyMask: nil,
                         output: out.baseAddress! + row * width, outputStride: width, probabilities: scratch)
                    if let take, let scratch { take(s, scratch) }
                }
            }
        }
    }

    /// The same attention through the tensor-level entry point, which records for backward.
    func tracked(_ inputs: AttentionInputs, batch: TokenBatch) -> Tensor {
        let (q, k, v) = (inputs.queries.own, inputs.keys.own, inputs.values.own)
        let outputs = (0..<batch.batchSize).map { s in
            let rows = batch.rows(of: s)
            func part(_ t: Tensor) -> Tensor { t.rows(unchecked: rows).reshaped(unchecked: [1, rows.count, t.shape[1]]) }
            return self(queries: part(q), keys: part(k), values: part(v), heads: inputs.heads, kvHeads: inputs.kvHeads)
                .reshaped(unchecked: [rows.count, q.shape[1]])
        }
        return outputs.count == 1 ? outputs[0] : Tensor(uncheckedConcatenatingRows: outputs)
    }

    /// Causal attention of the new rows over each sequence's cached prefix plus themselves.
    ///
    /// For each sequence the new rows' keys and values are appended to `cache`, then the queries
    /// attend over all of them: queries sit at the end, so query i sees the prefix and new rows
    /// up to i. Values are read untracked (gradients do not flow through a cache).
    func cached(_ inputs: AttentionInputs, layer: Int, batch: TokenBatch, cache: KVCache) -> Tensor {
        let (width, kvWidth, hd) = (inputs.queries.width, inputs.keys.width, inputs.headDim)
        let (qs, ks) = (inputs.queries.stride, inputs.keys.stride)
        precondition(cache.sequences.count == batch.batchSize, "one cache entry per sequence")
        precondition(inputs.values.stride == ks, "keys and values are cached with one row stride")
        return Tensor(uncheckedShape: [batch.rows, width]) { out in
            withPointers(inputs) { q, k, v in
                for s in 0..<batch.batchSize {
                    let (length, row) = (batch.sequences[s].count, batch.offsets[s])
                    let entry = cache.sequences[s]
                    precondition(entry.width == kvWidth, "cache rows of \(entry.width) for keys of \(kvWidth)")
                    precondition(entry.length(layer: layer) == batch.pastLengths[s],
                                 "cached prefix of sequence \(s) at layer \(layer) is not \(batch.pastLengths[s]) positions")
                    entry.append(layer: layer, rows: length, keys: k + row * ks, values: v + row * ks, rowStride: ks) { kc, vc, keys in
                        let shape = Shape(batch: 1, queryLength: length, keyLength: keys,
                                          heads: inputs.heads, kvHeads: inputs.kvHeads, headDim: hd)
                        self(shape: shape, queries: .init(q + row * qs, rowStride: qs), keys: .init(kc, rowStride: kvWidth),
                             values: .init(vc, rowStride: kvWidth), keyMask: nil,
                             output: out.baseAddress! + row * width, outputStride: width)
                    }
                }
            }
        }
    }
}
