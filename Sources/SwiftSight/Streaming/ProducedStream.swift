import AsyncAlgorithms
import Synchronization

/// Elements a background task produces, delivered with explicit back-pressure.
///
/// The stream holds no buffer of its own: the producer's `send` waits until the consumer takes
/// the element, so a slow consumer slows the producer and memory stays bounded. Leaving the
/// loop, dropping the stream, or cancelling the consuming task cancels the producer; in the last
/// case the loop throws `CancellationError` rather than ending as if every element had come.
/// ``ActivationStream`` and ``GenerationStream`` are this type.
public struct ProducedStream<Element: Sendable>: AsyncSequence, Sendable {
    let channel: AsyncThrowingChannel<Element, Error>
    let producer: ProducerHandle

    /// Iterates the elements; cancelling the iterating task stops the producer.
    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: AsyncThrowingChannel<Element, Error>.AsyncIterator
        let producer: ProducerHandle

        /// The next element, or nil once the producer has finished.
        /// - Throws: the producer's error; `CancellationError` when the iterating task is
        ///   cancelled. A channel answers a cancelled consumer with nil, which would pass for the
        ///   end of the elements: code after the loop would take a cut-off stream for a whole one.
        public mutating func next() async throws -> Element? {
            do {
                let element = try await withTaskCancellationHandler {
                    try await base.next()
                } onCancel: { [producer] in
                    producer.cancel()
                }
                if element != nil || !Task.isCancelled { return element }
            } catch where !Task.isCancelled {
                throw error
            } catch {}
            // Cancelled: return once the producer has ended, so no computation outlives the loop.
            await producer.cancelAndWait()
            throw CancellationError()
        }
    }

    /// An iterator over the elements.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: channel.makeAsyncIterator(), producer: producer)
    }
}

/// Owns the task that feeds a stream; cancels it when the last iterator or stream goes away.
final class ProducerHandle: Sendable {
    private let task = Mutex<Task<Void, Never>?>(nil)
    func start(_ body: @escaping @Sendable () async -> Void) { task.withLock { $0 = Task(operation: body) } }
    func cancel() { task.withLock { $0?.cancel() } }
    /// Cancels the producer and waits for it to end (it ends promptly: every wait it makes is
    /// cancellation-aware).
    func cancelAndWait() async {
        let task = task.withLock { $0 }
        task?.cancel()
        await task?.value
    }
    deinit { cancel() }
}

extension ProducedStream {
    /// A stream fed by `produce`, run in a task of its own that the stream owns (a
    /// ``ProducerHandle``). `produce` hands each element to `send`, which waits until the
    /// consumer takes it and then throws `CancellationError` if the stream was cancelled
    /// meanwhile. The stream ends when `produce` returns, or with the error it throws.
    init(producing produce: @escaping @Sendable (_ send: @Sendable (Element) async throws -> Void) async throws -> Void) {
        let channel = AsyncThrowingChannel<Element, Error>()
        let producer = ProducerHandle()
        producer.start {
            do {
                try await produce { element in
                    await channel.send(element)
                    try Task.checkCancellation()
                }
                channel.finish()
            } catch {
                channel.fail(error)
            }
        }
        self.init(channel: channel, producer: producer)
    }

    /// Hands each element to `body`, in order. When `body` throws, the producer fails or the
    /// calling task is cancelled, the producer is stopped and waited for before the error
    /// (`CancellationError` for a cancelled caller) is thrown: nothing the stream started
    /// outlives the call, which a loop left with an error does not promise.
    func forEach(_ body: (Element) async throws -> Void) async throws {
        do {
            for try await element in self { try await body(element) }
        } catch {
            await producer.cancelAndWait()
            throw error
        }
    }
}
