import SwiftSightHooks

/// A cache that cannot hold what its request asked for; the message names the modules.
public enum CacheError: Error, CustomStringConvertible, Equatable, Sendable {
    /// `stop()` ended the forward pass after `stoppedAfter`, before the requested modules `missing`
    /// (nnsight envoy keys, such as `model.transformer.h.2.output`) were reached. nnsight's guide
    /// warns against the same mistake ("Don't call tracer.stop() before cache is accessed"); a
    /// cache that silently lacks them would pass for a complete one.
    case stoppedBeforeCached(missing: [String], stoppedAfter: HookPoint)

    /// What went wrong, and the ways out.
    public var description: String {
        switch self {
        case let .stoppedBeforeCached(missing, stoppedAfter):
            "the trace was stopped after \(stoppedAfter), before the cached \(missing.joined(separator: ", ")) "
                + "\(missing.count == 1 ? "was" : "were") reached; call stop() after the last cached module, "
                + "leave \(missing.count == 1 ? "it" : "them") out of the cache request, or accept a partial cache "
                + "with allowPartial: true (.modules([...], allowPartial: true))"
        }
    }
}
