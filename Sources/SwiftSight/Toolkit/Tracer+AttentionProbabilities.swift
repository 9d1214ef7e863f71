import SwiftSightHooks
import SwiftSightLayers

extension Tracer {
    /// Each block's attention probabilities, [sequences, heads, length, length] (left-padded on
    /// both sequence axes; each real query row sums to 1 over its keys).
    ///
    /// Between `attentionsInput[i]` and `attentionsOutput[i]` in forward order. They are
    /// computed only for traces that ask for them. Editing them (`edit`, `set`) makes the
    /// attention output P·V of the new probabilities:
    /// ```swift
    /// try await t.attentionProbabilities.edit(1) { p in /* p: [1, heads, seq, seq] */ }
    /// ```
    public var attentionProbabilities: LayerPoints { LayerPoints(tracer: self, point: HookPoint.attentionProbabilities) }
}
