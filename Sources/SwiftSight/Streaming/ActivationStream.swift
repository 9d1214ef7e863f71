import AsyncAlgorithms
import SwiftSightHooks
import SwiftSightLayers
import SwiftSightModels
import Synchronization

/// Activations of a stream of prompts, delivered in forward order per prompt, prompt after
/// prompt, with explicit back-pressure (see ``ProducedStream``): at most one batch per stage is
/// in flight however many prompts flow through.
public typealias ActivationStream = ProducedStream<ActivationRecord>

/// Collects the watched points of one stage item, for emission when the item is done.
final class StreamObserver: HookObserver {
    let points: Set<HookPoint>
    private let values = Mutex<[(HookPoint, Tensor)]>([])

    init(points: Set<HookPoint>) { self.points = points }

    func observe(_ point: HookPoint, _ value: Tensor, layout: SequenceLayout) {
        values.withLock { $0.append((point, value)) }
    }

    var collected: [(HookPoint, Tensor)] { values.withLock { $0 } }
}
