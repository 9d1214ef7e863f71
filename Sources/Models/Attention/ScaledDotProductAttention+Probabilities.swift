import SwiftSightHooks
import SwiftSightLayers

extension ScaledDotProductAttention {
    /// Causal self-attention firing `attention_probabilities.layer` in between: the
    /// probabilities are computed, handed to `hook` packed as [rows, heads, longest] (query row
    /// i of a sequence holds its keys 0..<length), and the output is then P·V of whatever the
    /// hook left there, so replaced probabilities change everything downstream. Query head h
    /// reads value head h / (heads / kvHeads).
    ///
    /// In traces that record gradients (tracked inputs) the probabilities are part of the
    /// graph: they are recorded from the queries and keys, and the output from them and the
    /// values (``ScaledDotProductAttention/packedProbabilities(queries:keys:heads:kvHeads:offsets:keyWidth:)``,
    /// ``ScaledDotProductAttention/packedProduct(probabilities:values:heads:kvHeads:offsets:)``),
    /// so gradients reach the probabilities read and flow through replaced ones.
    ///
    /// Only called when someone asked for the point (``BlockContext/wants(_:)``): it costs
    /// rows · heads · longest floats more than the plain kernel and one more product per head.
    /// - Throws: what `hook` throws; ``TraceError/shapeMismatch(_:expected:got:)`` if it changed
    ///   the shape.
    /// - Complexity: O(sequences · heads · length² · headDim).
    func firingProbabilities(_ inputs: AttentionInputs, layer: Int, batch: TokenBatch, hook: HookHandler) async throws -> Tensor {
        let point = HookPoint.attentionProbabilities(layer)
        if inputs.isTracked {
            return try await trackedFiringProbabilities(inputs, point: point, batch: batch, hook: hook)
        }
        let heads = inputs.heads
        let vs = inputs.values.stride
        let longest = batch.maxLength
        var probabilities = Tensor.zeros(unchecked: [batch.rows, heads, longest])
        // The kernel's probabilities, per sequence [heads, length, length], moved to the packed layout.
        probabilities.withUnsafeMutableBuffer { packed in
            _ = inPlace(inputs, batch: batch) { s, scratch in
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

    /// ``firingProbabilities(_:layer:batch:hook:)`` recorded for gradients: the same values,
    /// computed through the differentiable packed operations on the (tracked) parts.
    private func trackedFiringProbabilities(_ inputs: AttentionInputs, point: HookPoint, batch: TokenBatch,
                                            hook: HookHandler) async throws -> Tensor {
        var probabilities = packedProbabilities(queries: inputs.queries.own, keys: inputs.keys.own, heads: inputs.heads,
                                                kvHeads: inputs.kvHeads, offsets: batch.offsets, keyWidth: batch.maxLength)
        try await Self.fire(point, &probabilities, hook: hook)
        return Self.packedProduct(probabilities: probabilities, values: inputs.values.own, heads: inputs.heads,
                                  kvHeads: inputs.kvHeads, offsets: batch.offsets)
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
        var output = Tensor.zeros(unchecked: [batch.rows, inputs.queries.width])
        output.withUnsafeMutableBuffer { out in
            probabilities.withUnsafeBuffer { p in
                product(p.baseAddress!, keyWidth: probabilities.shape[2], heads: inputs.heads, kvHeads: inputs.kvHeads,
                        headDim: inputs.headDim, offsets: batch.offsets, output: out.baseAddress!, values: values)
            }
        }
        return output
    }
}
