import SwiftSightHooks
import SwiftSightLayers
import Synchronization

/// What ``StandardizedTransformer/activationPatching(clean:corrupted:at:batchSize:progress:metric:)``
/// returns: a metric of the corrupted run with one clean activation patched in, for every layer
/// and position.
public struct PatchingResult: Sendable {
    /// The metric with the clean value patched in at (layer, position), [layers, positions].
    public let matrix: Tensor
    /// The metric of the clean run.
    public let clean: Float
    /// The metric of the corrupted run, unpatched.
    public let corrupted: Float
    /// The corrupted prompt's token ids (one per column).
    public let tokens: [Int]

    /// The matrix rescaled so the corrupted run is 0 and the clean run 1 (how much of the clean
    /// behaviour each patch restores). Entries are NaN when both runs have the same metric.
    public var normalized: Tensor {
        let range = clean - corrupted
        return Tensor(uncheckedShape: matrix.shape, values: matrix.scalars.map { ($0 - corrupted) / range })
    }
}

extension StandardizedTransformer {
    /// A metric on the last position's logits ([vocab]): `logit(target) - logit(trap)`; NaN if
    /// either id is outside the vocabulary.
    public static func logitDifference(target: Int, trap: Int) -> @Sendable (Tensor) -> Float {
        { logits in
            logits.withUnsafeBuffer { p in
                p.indices.contains(target) && p.indices.contains(trap) ? p[target] - p[trap] : .nan
            }
        }
    }

    /// Activation patching: for every layer and position, runs `corrupted` with the clean
    /// prompt's value at `point(layer)` copied in at that position, and measures `metric` on the
    /// last position's logits ([vocab]).
    ///
    /// The patched runs are invokes of a few batched traces (`batchSize` runs each, plus the
    /// clean run whose values they copy), so a GPT-2-small sweep is a handful of forward passes.
    /// - Parameters:
    ///   - point: which activation to patch, by layer (default `layers_output.i`; also
    ///     `HookPoint.attentionOutput`, `HookPoint.mlpOutput`, ...).
    ///   - progress: called after each batch with (runs done, runs in all).
    /// - Throws: ``ToolkitError`` if the prompts have different token counts, `batchSize` is below
    ///   one, or `point` is not a [1, positions, width] value; the trace's errors.
    /// - Complexity: layers · positions + 2 forward passes, in ⌈layers · positions / batchSize⌉ traces.
    public func activationPatching(clean: String, corrupted: String,
                                   at point: @escaping @Sendable (Int) -> HookPoint = HookPoint.layerOutput,
                                   batchSize: Int = 16,
                                   progress: (@Sendable (Int, Int) -> Void)? = nil,
                                   metric: @escaping @Sendable (Tensor) -> Float) async throws -> PatchingResult {
        let (cleanIDs, corruptedIDs) = (tokenize(clean), tokenize(corrupted))
        guard cleanIDs.count == corruptedIDs.count, !cleanIDs.isEmpty else {
            throw ToolkitError("activation patching needs prompts of the same token count: clean \(clean.debugDescription) has "
                + "\(cleanIDs.count), corrupted \(corrupted.debugDescription) has \(corruptedIDs.count)")
        }
        guard batchSize > 0 else { throw ToolkitError("activation patching needs batchSize ≥ 1, got \(batchSize)") }
        let positions = cleanIDs.count
        let cells = (0..<numLayers).flatMap { layer in (0..<positions).map { (layer, $0) } }
        let chunk = batchSize
        var values = [Float](repeating: 0, count: cells.count)
        var (cleanMetric, corruptedMetric): (Float, Float) = (0, 0)
        for start in stride(from: 0, to: cells.count, by: chunk) {
            let group = Array(cells[start..<min(cells.count, start + chunk)])
            let layers = Array(Set(group.map(\.0))).sorted()
            let shared = Mutex<[Int: Tensor]>([:])
            @Sendable func lastLogits(_ t: Tracer) async throws -> Float {
                let logits = try await t.logits
                return metric(try logits[0][logits.shape[1] - 1])
            }
            var invokes = [Invoke(clean) { t in
                for layer in layers {
                    let value = try await t.value(at: point(layer))
                    shared.withLock { $0[layer] = value }
                }
                return try await lastLogits(t)
            }]
            if start == 0 { invokes.append(Invoke(corrupted) { t in try await lastLogits(t) }) }
            for (layer, position) in group {
                invokes.append(Invoke(corrupted) { t in
                    try await t.edit(point(layer)) { v in
                        guard let source = shared.withLock({ $0[layer] }) else { return }
                        // Positions are axis 1 of a [1, positions, width] value; any other layout
                        // (attention probabilities, per-head values) would copy the wrong elements.
                        guard v.rank == 3, v.shape[1] == positions, source.shape == v.shape else {
                            throw ToolkitError("activation patching copies one position of [1, \(positions), width] values; "
                                + "\(point(layer)) has shape \(v.shape) (patch it by hand with t.edit)")
                        }
                        v.copyPosition(position, from: source)
                    }
                    return try await lastLogits(t)
                })
            }
            let results = try await trace(invokes: invokes)
            cleanMetric = results[0]
            if start == 0 { corruptedMetric = results[1] }
            for (i, value) in results.suffix(group.count).enumerated() { values[start + i] = value }
            progress?(start + group.count, cells.count)
        }
        return PatchingResult(matrix: Tensor(uncheckedShape: [numLayers, positions], values: values),
                              clean: cleanMetric, corrupted: corruptedMetric, tokens: corruptedIDs)
    }
}

extension Tensor {
    /// For [1, length, width] values: position `position` copied from `source`'s position
    /// `sourcePosition` (the same position by default).
    mutating func copyPosition(_ position: Int, from source: Tensor, sourcePosition: Int? = nil) {
        let width = shape[shape.count - 1]
        let from = sourcePosition ?? position
        source.withUnsafeBuffer { s in
            withUnsafeMutableBuffer { d in
                (d.baseAddress! + position * width).update(from: s.baseAddress! + from * width, count: width)
            }
        }
    }
}
