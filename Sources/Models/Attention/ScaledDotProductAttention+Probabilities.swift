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
        let heads = inputs.heads
        let vs = inputs.values.stride
        let longest = batch.maxLength
        var probabilities = Tensor.zeros([batch.rows, heads, longest])
        // The kernel's probabilities, per sequence [heads, length, length], moved to the packed layout.
        probabilities.withUnsafeMutableBuffer { packed in
            _ = inPlaceKeepingProbabilities(inputs, batch: batch) { s, scratch in
                let length = batch.sequences[s].count
                Self.pack(scratch, keys: length, into: packed.baseAddress!, row: batch.offsets[s], rows: length,
                          heads: heads, keyWidth: longest)
            }
        }
        try await Self.fire(point, &probabilities, hook: hook)
        // Output = P·V per sequence and head, from the (possibly replaced) probabilities.
        return withPointers(inputs) { _, _, v in
            Self.product(probabilities, batch: batch, inputs: inputs) { s, body in
                body(v + batch.offsets[s] * vs, batch.sequences[s].count, vs)
            }
        }
    }

    /// Copies one sequence's kernel probabilities ([heads, rows, keys]) into packed
    /// [all rows, heads, keyWidth] probabilities at `row`.
    static func pack(_ scratch: UnsafePointer<Float>, keys: Int, into packed: UnsafeMutablePointer<Float>,
                     row: Int, rows: Int, heads: Int, keyWidth: Int) {
        for h in 0..<heads {
            for i in 0..<rows {
                (packed + ((row + i) * heads + h) * keyWidth).update(from: scratch + (h * rows + i) * keys, count: keys)
            }
        }
    }

    /// Hands the probabilities to `hook`, then checks it kept their shape.
    static func fire(_ point: HookPoint, _ probabilities: inout Tensor, hook: HookHandler) async throws {
        let expected = probabilities.shape
        try await hook(point, &probabilities)
        guard probabilities.shape == expected else {
            throw TraceError.shapeMismatch(point, expected: expected, got: probabilities.shape)
        }
    }

    /// P·V per sequence and head from packed [rows, heads, keyWidth] probabilities: `values(s, body)`
    /// calls `body` with sequence s's value rows (kv heads side by side), their count and row stride.
    /// Query head h reads value head h / (heads / kvHeads).
    static func product(_ probabilities: Tensor, batch: TokenBatch, inputs: AttentionInputs,
                        values: (Int, (UnsafePointer<Float>, Int, Int) -> Void) -> Void) -> Tensor {
        let (heads, width, hd) = (inputs.heads, inputs.queries.width, inputs.headDim)
        let (group, keyWidth) = (heads / inputs.kvHeads, probabilities.shape[2])
        var output = Tensor.zeros([batch.rows, width])
        output.withUnsafeMutableBuffer { out in
            probabilities.withUnsafeBuffer { p in
                for s in 0..<batch.batchSize {
                    let (length, row) = (batch.sequences[s].count, batch.offsets[s])
                    values(s) { v, keys, stride in
                        for h in 0..<heads {
                            GEMM.multiply(m: length, n: hd, k: keys,
                                          a: p.baseAddress! + (row * heads + h) * keyWidth, lda: heads * keyWidth,
                                          b: v + (h / group) * hd, ldb: stride,
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
