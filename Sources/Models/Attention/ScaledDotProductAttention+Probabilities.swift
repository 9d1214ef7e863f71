import Hooks
import Layers

extension ScaledDotProductAttention {
    /// Causal self-attention firing `attention_probabilities.layer` in between: the
    /// probabilities are computed, handed to `hook` packed as [rows, heads, longest] (query row
    /// i of a sequence holds its keys 0..<length), and the output is then P·V of whatever the
    /// hook left there, so replaced probabilities change everything downstream. Query head h
    /// reads value head h / (heads / kvHeads).
    ///
    /// Only called when someone asked for the point (``OptionalPoints``): it costs
    /// rows · heads · longest floats more than the plain kernel and one more product per head.
    /// - Throws: ``TraceError/neverReached(_:reason:)`` in traces that record gradients (the
    ///   probabilities are not part of the differentiable attention); what `hook` throws.
    /// - Complexity: O(sequences · heads · length² · headDim).
    func firingProbabilities(_ inputs: AttentionInputs, layer: Int, batch: TokenBatch, hook: HookHandler) async throws -> Tensor {
        let point = HookPoint.attentionProbabilities(layer)
        guard !inputs.isTracked else {
            throw TraceError.neverReached(point, reason: "attention probabilities are not available in traces that record gradients")
        }
        let (heads, width, hd) = (inputs.heads, inputs.queries.width, inputs.headDim)
        let vs = inputs.values.stride
        let longest = batch.maxLength
        var probabilities = Tensor.zeros([batch.rows, heads, longest])
        // The kernel's probabilities, per sequence [heads, length, length], moved to the packed layout.
        probabilities.withUnsafeMutableBuffer { packed in
            _ = inPlaceKeepingProbabilities(inputs, batch: batch) { s, scratch in
                let (length, row) = (batch.sequences[s].count, batch.offsets[s])
                for h in 0..<heads {
                    for i in 0..<length {
                        (packed.baseAddress! + ((row + i) * heads + h) * longest)
                            .update(from: scratch + (h * length + i) * length, count: length)
                    }
                }
            }
        }
        let expected = probabilities.shape
        try await hook(point, &probabilities)
        guard probabilities.shape == expected else {
            throw TraceError.shapeMismatch(point, expected: expected, got: probabilities.shape)
        }
        // Output = P·V per sequence and head, from the (possibly replaced) probabilities.
        let group = heads / inputs.kvHeads
        var output = Tensor.zeros([batch.rows, width])
        output.withUnsafeMutableBuffer { out in
            probabilities.withUnsafeBuffer { p in
                withPointers(inputs) { _, _, v in
                    for s in 0..<batch.batchSize {
                        let (length, row) = (batch.sequences[s].count, batch.offsets[s])
                        for h in 0..<heads {
                            GEMM.multiply(m: length, n: hd, k: length,
                                          a: p.baseAddress! + (row * heads + h) * longest, lda: heads * longest,
                                          b: v + row * vs + (h / group) * hd, ldb: vs,
                                          c: out.baseAddress! + row * width + h * hd, ldc: width)
                        }
                    }
                }
            }
        }
        return output
    }

    /// The kernel per sequence, handing each sequence's probabilities ([heads, length, length])
    /// to `take` before moving on.
    private func inPlaceKeepingProbabilities(_ inputs: AttentionInputs, batch: TokenBatch,
                                             _ take: (Int, UnsafePointer<Float>) -> Void) -> Tensor {
        let (width, hd, heads) = (inputs.queries.width, inputs.headDim, inputs.heads)
        let (qs, ks, vs) = (inputs.queries.stride, inputs.keys.stride, inputs.values.stride)
        return Tensor(uninitializedShape: [batch.rows, width]) { out in
            withPointers(inputs) { q, k, v in
                for s in 0..<batch.batchSize {
                    let (length, row) = (batch.sequences[s].count, batch.offsets[s])
                    let shape = Shape(batch: 1, queryLength: length, keyLength: length,
                                      heads: heads, kvHeads: inputs.kvHeads, headDim: hd)
                    let scratch = UnsafeMutablePointer<Float>.allocate(capacity: max(1, heads * length * length))
                    defer { scratch.deallocate() }
                    self(shape: shape, queries: .init(q + row * qs, rowStride: qs), keys: .init(k + row * ks, rowStride: ks),
                         values: .init(v + row * vs, rowStride: vs), keyMask: nil,
                         output: out.baseAddress! + row * width, outputStride: width, probabilities: scratch)
                    take(s, scratch)
                }
            }
        }
    }
}
