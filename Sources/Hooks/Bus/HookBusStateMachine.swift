import SwiftSightLayers

/// Every decision of a ``HookBus``, with no locks, no tasks and no tensor arithmetic.
///
/// Each method is one event (the forward pass reached a point, an intervention asked for a
/// value, the trace was aborted, ...): it updates the state and returns what must be done
/// (resume this suspended party, fail that one, write this value back). The bus calls it under
/// its lock and does the returned work outside it, as swift-async-algorithms' `AsyncChannel`
/// does with its `ChannelStateMachine`. Keeping the decisions here lets tests walk every
/// state × event pair without a model or a task (Tests/HooksTests); see Docs/HookBus.md.
///
/// `Waiter` is an intervention waiting for a value, `Parked` the forward pass waiting for an
/// intervention; the bus uses checked continuations, tests use labels.
struct HookBusStateMachine<Waiter, Parked> {
    private(set) var invokes: [InvokeStateMachine<Waiter, Parked>]
    private(set) var isStopRequested = false
    private(set) var stoppedAfter: HookPoint?
    private(set) var endReason: String?
    private(set) var failure: Error?
    /// Replacement outputs by layer, then by invoke (nil: the layer's input passes through).
    private(set) var skips: [Int: [Int: Tensor?]] = [:]
    /// For traces with gradients: the values each invoke has read, by point.
    private(set) var reads: [Int: [HookPoint: Tensor]] = [:]

    init(invokes: Int) {
        self.invokes = Array(repeating: InvokeStateMachine(), count: invokes)
    }

    // MARK: - Forward pass side

    enum Arrival {
        /// Nobody here needs the point: move on.
        case pass
        /// Hand the invoke's rows to `Waiter` (then report ``delivered(_:at:invoke:)``), then park.
        case deliver(Waiter)
        /// The invoke has not said what it needs next: park until it does.
        case park
        /// Fail `Waiter` (its point was passed without being produced), then park.
        case failAndPark(Waiter, TraceError)
        /// The trace was aborted: throw.
        case fail(Error)
    }

    /// The forward pass reached `point`; what `invoke` makes of it.
    mutating func pointReached(_ point: HookPoint, invoke: Int) -> Arrival {
        if let failure { return .fail(failure) }
        return switch invokes[invoke].arrive(at: point) {
        case .pass: .pass
        case .deliver(let waiter): .deliver(waiter)
        case .park: .park
        case .failAndPark(let waiter, let error): .failAndPark(waiter, error)
        }
    }

    /// `invoke` was handed `value` at `point`: hold it (and keep it for the backward if tracked).
    mutating func delivered(_ value: Tensor, at point: HookPoint, invoke: Int) {
        invokes[invoke].held = value
        if value.isTracked { reads[invoke, default: [:]][point] = value }
    }

    enum ParkAction {
        /// The invoke has already moved on: continue at once.
        case resume
        /// The trace was aborted: fail.
        case fail(Error)
        /// Stored: the invoke's next move resumes it.
        case suspended
    }

    /// The forward pass is about to wait for `invoke` to move on.
    mutating func parking(invoke: Int, _ parked: Parked) -> ParkAction {
        if let failure { return .fail(failure) }
        if invokes[invoke].mayContinue { return .resume }
        invokes[invoke].parkedPipeline = parked
        return .suspended
    }

    /// `invoke` moved on from `point`; returns the value to write back into the packed tensor,
    /// if any: an edited value, or with gradients any value the invoke read, so the gradient
    /// through this point passes through the node the invoke read.
    mutating func released(_ point: HookPoint, invoke: Int) -> Tensor? {
        let (held, changed) = invokes[invoke].release(point)
        guard let held, changed || held.isTracked else { return nil }
        return held
    }

    /// Every invoke and observer is done with `point`; returns whether the forward pass stops
    /// here (an intervention asked to stop), recording the point it stopped after.
    mutating func pointLeft(_ point: HookPoint) -> Bool {
        if isStopRequested, stoppedAfter == nil { stoppedAfter = point }
        return isStopRequested
    }

    /// Whether an invoke waits for exactly `point` and is not skipping its block.
    func wants(_ point: HookPoint) -> Bool {
        let skipping = point.isInsideBlock ? skips[point.layer ?? -1] : nil
        return invokes.indices.contains { skipping?.index(forKey: $0) == nil && invokes[$0].isWaiting(for: point) }
    }

    /// Whether every invoke's intervention code has returned.
    var allFinished: Bool { invokes.allSatisfy(\.isFinished) }

    // MARK: - Intervention side

    enum RequestAction {
        /// Resume the request with the value being held.
        case resume(Tensor)
        /// Fail the request.
        case fail(Error)
        /// Stored; resume the parked forward pass, if any, so it can go and produce the point.
        case suspended(resumeParked: Parked?)
    }

    /// `invoke` asks for `point`.
    mutating func valueRequested(_ point: HookPoint, invoke: Int, _ waiter: Waiter) -> RequestAction {
        if let failure { return .fail(failure) }
        return switch invokes[invoke].request(point, waiter: waiter, endReason: endReason) {
        case .value(let value): .resume(value)
        case .fail(let error): .fail(error)
        case .wait(let parked): .suspended(resumeParked: parked)
        }
    }

    /// `invoke` changed the value it holds.
    mutating func edited(invoke: Int, _ value: Tensor) {
        invokes[invoke].held = value
        invokes[invoke].changed = true
    }

    /// `invoke` skips `layer`, its output becoming `output` (its input if nil).
    mutating func skipRequested(layer: Int, invoke: Int, output: Tensor?) {
        skips[layer, default: [:]][invoke] = .some(output)
    }

    /// An intervention asked the forward pass to stop after the current point.
    mutating func stopRequested() {
        isStopRequested = true
    }

    /// `invoke`'s intervention code returned; returns the parked forward pass to resume, if any.
    mutating func interventionFinished(invoke: Int) -> Parked? {
        invokes[invoke].finish()
    }

    // MARK: - Ends

    /// The forward pass is over; returns the requests still waiting, each with its error.
    mutating func finish(reason: String) -> [(Waiter, TraceError)] {
        endReason = reason
        return invokes.indices.compactMap { i in
            invokes[i].end().map { ($0.waiter, TraceError.neverReached($0.point, reason: reason)) }
        }
    }

    /// The trace ends with `error` (the first one wins); returns it and every suspended party,
    /// all to be failed with it.
    mutating func abort(_ error: Error) -> (failure: Error, parked: [Parked], waiting: [Waiter]) {
        if failure == nil { failure = error }
        var parked: [Parked] = []
        var waiting: [Waiter] = []
        for i in invokes.indices {
            if let p = invokes[i].parkedPipeline { parked.append(p); invokes[i].parkedPipeline = nil }
            if let w = invokes[i].end() { waiting.append(w.waiter) }
        }
        return (failure ?? error, parked, waiting)
    }
}

extension HookBusStateMachine: Sendable where Waiter: Sendable, Parked: Sendable {}
