import SwiftSightHooks
import SwiftSightLayers

extension Tracer {
    /// Adds `factor · vector` to the output of each of `layers` (nnterp's `steer`), at
    /// `positions` of every sequence of this invoke, or at every position if nil.
    ///
    /// Positions index the invoke's [sequences, length, hidden] values; negative ones count from
    /// the end (-1: the last token). Call it before the first of `layers` has passed.
    /// - Throws: ``ToolkitError`` for a vector that is not [hidden] or a position outside the
    ///   sequence; the trace's errors (such as ``TraceError/outOfOrder(requested:passed:)``).
    public func steer(layers: [Int], vector: Tensor, factor: Float = 1, positions: [Int]? = nil) async throws {
        // [hidden], or [1, hidden] and the like: one value per feature of the residual stream.
        guard vector.count == hiddenSize, vector.shape.last == hiddenSize else {
            throw ToolkitError("a steering vector needs \(hiddenSize) values, got shape \(vector.shape)")
        }
        let v = vector.scalars.map { $0 * factor }
        for layer in Set(layers).sorted() {
            try await layersOutput.edit(layer) { value in
                let (n, length, width) = (value.shape[0], value.shape[1], value.shape[2])
                let chosen = (positions ?? Array(0..<length)).map { $0 < 0 ? length + $0 : $0 }
                guard chosen.allSatisfy({ (0..<length).contains($0) }) else {
                    throw ToolkitError("steering positions \(positions ?? []) are outside a sequence of \(length) tokens")
                }
                value.withUnsafeMutableBuffer { p in
                    for s in 0..<n {
                        for position in chosen {
                            let row = p.baseAddress! + (s * length + position) * width
                            for c in 0..<width { row[c] += v[c] }
                        }
                    }
                }
            }
        }
    }
}

extension StandardizedTransformer {
    /// A steering vector: the mean over positions of `layers_output.layer` for `to`, minus the
    /// same mean for `from`, [hidden].
    public func steeringVector(from: String, to: String, layer: Int) async throws -> Tensor {
        let means = try await trace(invokes: [from, to].map { prompt in
            Invoke(prompt) { t in
                let value = try await t.layersOutput[layer]
                t.stop()
                return try value.mean(axes: [0, 1])
            }
        })
        return try (means[1] - means[0]).detached()
    }

    /// Next-token probabilities of `prompts` ([prompts, vocab]) with `factor · vector` added to
    /// the output of `layers` at `positions` (all if nil); see ``Tracer/steer(layers:vector:factor:positions:)``.
    public func steer(_ prompts: [String], layers: [Int], vector: Tensor, factor: Float = 1,
                      positions: [Int]? = nil) async throws -> Tensor {
        try await trace(prompts) { t in
            try await t.steer(layers: layers, vector: vector, factor: factor, positions: positions)
            return try await t.nextTokenProbs
        }
    }
}
