import Hooks
import Layers
import Synchronization

/// The cache subscriber: a hook observer that records values by original module name.
///
/// It sees each point after every intervention there, so it records edited values. A value
/// is shared, not copied, when it is recorded (tensors are copy-on-write); the forward pass's
/// next in-place update then copies it once, which is the only cost of caching.
public final class CacheRecorder: HookObserver {
    /// The points being recorded.
    public let points: Set<HookPoint>
    private let cache: Mutex<ActivationCache>

    /// Records `points`, naming them with `naming`.
    public init(points: Set<HookPoint>, naming: ModuleNaming) {
        self.points = points
        self.cache = Mutex(ActivationCache(naming: naming))
    }

    public func observe(_ point: HookPoint, _ value: Tensor, layout: SequenceLayout) {
        let padded = layout.leftPadded(value)
        cache.withLock { $0.record(padded, at: point) }
    }

    /// What has been recorded so far.
    public var recorded: ActivationCache { cache.withLock { $0 } }
}
