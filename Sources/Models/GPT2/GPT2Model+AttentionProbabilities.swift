import Hooks
import Layers

extension GPT2Model {
    /// Block `layer`'s causal self-attention over the fused [rows, 3·hidden] projection, firing
    /// `attention_probabilities.layer` in between: the probabilities are computed, handed to
    /// `hook` packed as [rows, heads, longest] (query row i of a sequence holds its keys
    /// 0..<length), and the output is then P·V of whatever the hook left there, so replaced
    /// probabilities change everything downstream.
    ///
    /// Only called when someone asked for the point (``OptionalPoints``): it costs
    /// rows · heads · longest floats more than ``selfAttention`` and one more product per head.
    /// - Throws: ``TraceError/neverReached(_:reason:)`` in traces that record gradients (the
    ///   probabilities are not part of the differentiable attention); what `hook` throws.
    /// - Complexity: O(sequences · heads · length² · headDim).
    func attentionFiringProbabilities(_ layer: Int, _ qkv: Tensor, batch: TokenBatch, hook: HookHandler) async throws -> Tensor {
        let point = HookPoint.attentionProbabilities(layer)
        guard !qkv.isTracked else {
            throw TraceError.neverReached(point, reason: "attention probabilities are not available in traces that record gradients")
        }
        let attention = blocks[layer].attention
        let (d, heads) = (info.hiddenSize, info.numHeads)
        let hd = d / heads
        let longest = batch.sequences.map(\.count).max() ?? 0
        var probabilities = Tensor.zeros([batch.rows, heads, longest])
        var output = Tensor.zeros([batch.rows, d])
        // The kernel's probabilities, per sequence [heads, length, length], moved to the packed layout.
        qkv.withUnsafeBuffer { q in
            output.withUnsafeMutableBuffer { out in
                probabilities.withUnsafeMutableBuffer { packed in
                    for s in 0..<batch.batchSize {
                        let (length, offset) = (batch.sequences[s].count, batch.offsets[s])
                        let base = q.baseAddress! + offset * 3 * d
                        let shape = ScaledDotProductAttention.Shape(batch: 1, queryLength: length, keyLength: length,
                                                                    heads: heads, kvHeads: heads, headDim: hd)
                        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: max(1, heads * length * length))
                        defer { scratch.deallocate() }
                        attention(shape: shape, queries: .init(base, rowStride: 3 * d), keys: .init(base + d, rowStride: 3 * d),
                                  values: .init(base + 2 * d, rowStride: 3 * d), keyMask: nil,
                                  output: out.baseAddress! + offset * d, outputStride: d, probabilities: scratch)
                        for h in 0..<heads {
                            for i in 0..<length {
                                (packed.baseAddress! + ((offset + i) * heads + h) * longest)
                                    .update(from: scratch + (h * length + i) * length, count: length)
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
        // Output = P·V per sequence and head, from the (possibly replaced) probabilities.
        qkv.withUnsafeBuffer { q in
            output.withUnsafeMutableBuffer { out in
                probabilities.withUnsafeBuffer { p in
                    for s in 0..<batch.batchSize {
                        let (length, offset) = (batch.sequences[s].count, batch.offsets[s])
                        for h in 0..<heads {
                            GEMM.multiply(m: length, n: hd, k: length,
                                          a: p.baseAddress! + (offset * heads + h) * longest, lda: heads * longest,
                                          b: q.baseAddress! + offset * 3 * d + 2 * d + h * hd, ldb: 3 * d,
                                          c: out.baseAddress! + offset * d + h * hd, ldc: d)
                        }
                    }
                }
            }
        }
        return output
    }
}
