import SwiftSightLayers

/// One invoke's side of the lockstep between the forward pass and its intervention code.
///
/// The forward pass may only move past a point once the intervention has said what it needs
/// next: it is either waiting for a later point or finished. A pure state machine: methods
/// return what to do, the bus does it (resuming continuations outside the lock).
///
/// Generic over the two kinds of suspended party so that tests can walk it with plain labels;
/// the bus uses `CheckedContinuation<Tensor, Error>` (`Waiter`, an intervention waiting for a
/// value) and `CheckedContinuation<Void, Error>` (`Parked`, the forward pass waiting for the
/// intervention). Within the module the compiler specialises it, so this costs nothing per point.
struct InvokeStateMachine<Waiter, Parked> {
    enum Phase {
        /// Intervention code is running and has not asked for anything yet.
        case running
        /// Intervention code waits for `point`.
        case waiting(HookPoint, Waiter)
        /// The forward pass is parked at `point`; the intervention holds its value.
        case holding(HookPoint)
        /// The intervention has returned (or failed).
        case finished
    }

    var phase = Phase.running
    /// The last point the forward pass moved past, for this invoke.
    var passed: HookPoint?
    /// The value being held at the current point, and whether the intervention changed it.
    var held: Tensor?
    var changed = false
    /// The forward pass, parked until this invoke makes progress.
    var parkedPipeline: Parked?

    // MARK: Forward pass side

    enum Arrival {
        /// Nobody here needs the point: move on.
        case pass
        /// Hand the value to the waiting intervention, then park until it moves on.
        case deliver(Waiter)
        /// The intervention has not said what it needs yet: park until it does.
        case park
        /// The requested point was passed without being produced (a skipped block's inner
        /// point): fail the request, then park until the intervention says what it needs next.
        case failAndPark(Waiter, TraceError)
    }

    mutating func arrive(at point: HookPoint) -> Arrival {
        switch phase {
        case .finished:
            passed = point
            return .pass
        case .waiting(let wanted, let waiter):
            if wanted > point {
                passed = point
                return .pass
            }
            if wanted < point {
                phase = .running
                return .failAndPark(waiter, .neverReached(
                    wanted, reason: "the forward pass reached \(point) without producing it (was its layer skipped?)"))
            }
            phase = .holding(point)
            changed = false
            return .deliver(waiter)
        case .running, .holding:
            return .park
        }
    }

    /// Whether a parked forward pass may continue (the intervention moved on or finished).
    var mayContinue: Bool {
        switch phase {
        case .running, .holding: false
        case .waiting, .finished: true
        }
    }

    /// Whether the intervention code has returned.
    var isFinished: Bool {
        if case .finished = phase { true } else { false }
    }

    /// Whether the intervention is waiting for exactly `point`.
    func isWaiting(for point: HookPoint) -> Bool {
        if case .waiting(let wanted, _) = phase { wanted == point } else { false }
    }

    /// Takes the value back after the intervention moved on from `point`.
    mutating func release(_ point: HookPoint) -> (value: Tensor?, changed: Bool) {
        passed = point
        defer { held = nil; changed = false }
        return (held, changed)
    }

    // MARK: Intervention side

    enum Request {
        /// The point is being held: here is its value.
        case value(Tensor)
        /// Fail the request.
        case fail(TraceError)
        /// Wait; resume the parked forward pass if there is one.
        case wait(resume: Parked?)
    }

    mutating func request(_ point: HookPoint, waiter: Waiter, endReason: String?) -> Request {
        if case .holding(let current) = phase {
            if point == current, let held { return .value(held) }
            if point < current { return .fail(.outOfOrder(requested: point, passed: current)) }
        } else if let passed, point <= passed {
            return .fail(.outOfOrder(requested: point, passed: passed))
        }
        if let endReason { return .fail(.neverReached(point, reason: endReason)) }
        phase = .waiting(point, waiter)
        defer { parkedPipeline = nil }
        return .wait(resume: parkedPipeline)
    }

    /// The intervention returned or failed: the forward pass may run to the end.
    mutating func finish() -> Parked? {
        phase = .finished
        defer { parkedPipeline = nil }
        return parkedPipeline
    }

    /// The forward pass ended: a waiting request can never be served.
    mutating func end() -> (waiter: Waiter, point: HookPoint)? {
        guard case .waiting(let point, let waiter) = phase else { return nil }
        phase = .running
        return (waiter, point)
    }
}

extension InvokeStateMachine: Sendable where Waiter: Sendable, Parked: Sendable {}
extension InvokeStateMachine.Phase: Sendable where Waiter: Sendable, Parked: Sendable {}
