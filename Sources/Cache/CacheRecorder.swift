import SwiftSightHooks
import SwiftSightLayers
import Synchronization

/// The cache subscriber: a hook observer that records values by original module name.
///
/// It sees each point after every intervention there, so it records edited values. A value
/// is shared, not copied, when it is recorded (tensors are copy-on-write); the forward pass's
/// next in-place update then copies it once, which is the only cost of caching.
package final class CacheRecorder: HookObserver {
    /// The points being recorded.
    package let points: Set<HookPoint>
    private let cache: Mutex<ActivationCache>

    /// Whether a cache lacking points a `stop()` kept from being reached is acceptable.
    package let allowPartial: Bool
    private let naming: ModuleNaming

    /// Records `points`, naming them with `naming`; see ``CacheRequest/allowPartial``.
    package init(points: Set<HookPoint>, naming: ModuleNaming, allowPartial: Bool = false) {
        self.points = points
        self.naming = naming
        self.allowPartial = allowPartial
        self.cache = Mutex(ActivationCache(naming: naming))
    }

    package func observe(_ point: HookPoint, _ value: Tensor, layout: SequenceLayout) {
        let padded = layout.leftPadded(value)
        cache.withLock { $0.record(padded, at: point) }
    }

    /// What has been recorded so far.
    package var recorded: ActivationCache { cache.withLock { $0 } }

    /// Checks the recording after a forward pass that `stop()` ended after `stoppedAfter`.
    /// - Throws: ``CacheError/stoppedBeforeCached(missing:stoppedAfter:)`` naming the points that
    ///   come after the stop and were not recorded, unless partial caches are allowed.
    package func checkComplete(stoppedAfter: HookPoint) throws(CacheError) {
        guard !allowPartial else { return }
        let cache = recorded
        let missing = points.filter { $0 > stoppedAfter && cache[$0] == nil }.sorted()
        guard !missing.isEmpty else { return }
        throw .stoppedBeforeCached(missing: missing.map(naming.envoyKey(of:)), stoppedAfter: stoppedAfter)
    }
}
