import SwiftSightLayers

/// Sees values after every intervention at a point, such as the activation cache.
package protocol HookObserver: Sendable {
    /// The points this observer wants; others are not shown to it.
    var points: Set<HookPoint> { get }
    /// Called once per point in `points`, with the packed value after interventions.
    func observe(_ point: HookPoint, _ value: Tensor, layout: SequenceLayout)
}
