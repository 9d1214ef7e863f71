import AsyncAlgorithms
import Hooks
import Layers
import Models
import Synchronization

/// Activations of a stream of prompts, delivered in forward order per prompt, prompt after prompt.
///
/// Back-pressure is explicit: the stream holds no buffer of its own. While the consumer is busy
/// with a record, the pipeline behind it waits, so memory stays bounded (at most one batch per
/// stage in flight) however many prompts flow through. Stopping iteration, or cancelling the
/// consuming task, stops the producer.
public struct ActivationStream: AsyncSequence, Sendable {
    public typealias Element = ActivationRecord

    let channel: AsyncThrowingChannel<ActivationRecord, Error>
    let producer: ProducerHandle

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: AsyncThrowingChannel<ActivationRecord, Error>.AsyncIterator
        let producer: ProducerHandle

        public mutating func next() async throws -> ActivationRecord? {
            try await withTaskCancellationHandler {
                try await base.next()
            } onCancel: { [producer] in
                producer.cancel()
            }
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: channel.makeAsyncIterator(), producer: producer)
    }
}

/// Owns the task that feeds a stream; cancels it when the last iterator or stream goes away.
final class ProducerHandle: Sendable {
    private let task = Mutex<Task<Void, Never>?>(nil)
    func start(_ body: @escaping @Sendable () async -> Void) { task.withLock { $0 = Task(operation: body) } }
    func cancel() { task.withLock { $0?.cancel() } }
    deinit { cancel() }
}

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
