import SwiftSightHooks
import SwiftSightLayers

/// What one computation of a block works on besides its layer and input: the batch, the
/// generation's KV cache, where hook points fire, and which optional points to produce.
///
/// Passed in the block's signature, so what a run wants is visible where it is used. The
/// pipeline's stage builds one per block it computes, from the buses of the items it merged; a
/// bare forward pass (the tests' driver) wants no optional point.
package struct BlockContext: Sendable {
    /// The packed sequences the block computes.
    package let batch: TokenBatch
    /// The generation's keys and values (one entry per sequence of ``batch``), nil outside generation.
    package let cache: KVCache?
    /// Where the block fires its inner hook points, in forward order.
    package let hook: HookHandler
    private let wanted: @Sendable (HookPoint) -> Bool

    /// A context; `wants` answers whether an optional point (attention probabilities, which
    /// cost batch · heads · length² floats) will be taken, and is asked right before the block
    /// would produce it, so it must be cheap.
    package init(batch: TokenBatch, cache: KVCache? = nil, hook: @escaping HookHandler,
                wants: @escaping @Sendable (HookPoint) -> Bool = { _ in false }) {
        (self.batch, self.cache, self.hook, self.wanted) = (batch, cache, hook, wants)
    }

    /// Whether someone will take the optional point `point`.
    package func wants(_ point: HookPoint) -> Bool { wanted(point) }

    /// Hands `value` to the hook at `point`; it may change it.
    package func fire(_ point: HookPoint, _ value: inout Tensor) async throws { try await hook(point, &value) }
}
