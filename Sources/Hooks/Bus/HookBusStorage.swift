import SwiftSightLayers
import Synchronization

/// The mutable side of a ``HookBus``: its state machine behind one lock, and the suspensions.
///
/// Each method is one event: it takes the lock once, asks ``HookBusStateMachine`` what to do and
/// does it after the lock is released (resuming continuations inside a lock could run the
/// resumed party's code while it is held). The façade keeps the tensor work: it cuts an invoke's
/// rows out of the packed value and writes edits back.
final class HookBusStorage: Sendable {
    typealias Machine = HookBusStateMachine<CheckedContinuation<Tensor, Error>, CheckedContinuation<Void, Error>>

    private let state: Mutex<Machine>

    init(invokes: Int) {
        state = Mutex(Machine(invokes: invokes))
    }

    /// Reads (or changes) the state under the lock, for events whose action is the façade's.
    func withMachine<R>(_ body: (inout Machine) -> R) -> R {
        state.withLock { body(&$0) }
    }

    // MARK: Forward pass side

    /// Waits until `invoke` has moved on (asked for a later point, or returned).
    /// - Throws: the error that aborted the trace; `CancellationError` if the task is cancelled
    ///   (which aborts the whole trace).
    func park(invoke: Int) async throws {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, Error>) in
                switch state.withLock({ $0.parking(invoke: invoke, c) }) {
                case .resume: c.resume()
                case .fail(let error): c.resume(throwing: error)
                case .suspended: break
                }
            }
        } onCancel: {
            abort(CancellationError())
        }
    }

    // MARK: Intervention side

    /// The value at `point` for `invoke`, once the forward pass delivers it.
    func value(at point: HookPoint, invoke: Int) async throws -> Tensor {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Tensor, Error>) in
                switch state.withLock({ $0.valueRequested(point, invoke: invoke, c) }) {
                case .resume(let value): c.resume(returning: value)
                case .fail(let error): c.resume(throwing: error)
                case .suspended(let parked): parked?.resume()
                }
            }
        } onCancel: {
            abort(CancellationError())
        }
    }

    func interventionFinished(invoke: Int) {
        state.withLock { $0.interventionFinished(invoke: invoke) }?.resume()
    }

    // MARK: Ends

    func finish(reason: String) {
        for (waiter, error) in state.withLock({ $0.finish(reason: reason) }) {
            waiter.resume(throwing: error)
        }
    }

    func abort(_ error: Error) {
        let (failure, parked, waiting) = state.withLock { $0.abort(error) }
        parked.forEach { $0.resume(throwing: failure) }
        waiting.forEach { $0.resume(throwing: failure) }
    }
}
