import SwiftSightLayers
import Synchronization

/// One trace's meeting point between the forward pass and its intervention code.
///
/// The forward pass calls ``reach(_:_:)`` at every hook point, in forward order. Each invoke's
/// intervention code asks for points with ``value(at:invoke:)`` (and edits them with
/// ``edit(_:invoke:_:)``); a request is served when the forward pass reaches its point, and the
/// forward pass waits at a point until every invoke that asked for it has moved on. Points
/// carry sequence numbers (``HookPoint/sequenceNumber``), so a request for a point that has
/// passed fails at once with ``TraceError/outOfOrder(requested:passed:)``. Invokes are served
/// in the order they were defined; observers (the cache) see each point last.
public final class HookBus: Sendable {
    struct State {
        var invokes: [InvokeStateMachine]
        var stopRequested = false
        var stoppedAfter: HookPoint?
        var endReason: String?
        var failure: Error?
        var skips: [Int: [Int: Tensor?]] = [:]
        /// For traces with gradients: the values each invoke has read, by point.
        var reads: [Int: [HookPoint: Tensor]] = [:]
    }

    /// The tape the forward pass records on, for traces that take gradients.
    public let tape: GradientTape?

    /// Rows of each sequence in the packed activations.
    public let layout: SequenceLayout
    /// Sequences belonging to each invoke, in definition order.
    public let invokeSequences: [Range<Int>]
    /// Number of layers, to reject requests for layers that do not exist.
    public let layers: Int
    /// The observers (such as the cache) that see each point after the interventions.
    public let observers: [HookObserver]
    private let observedPoints: Set<HookPoint>
    private let state: Mutex<State>

    /// A bus for one trace. `invokeSequences` must cover the layout's sequences in order.
    public init(layout: SequenceLayout, invokeSequences: [Range<Int>], layers: Int, observers: [HookObserver] = [],
                tape: GradientTape? = nil) {
        self.tape = tape
        self.layout = layout
        self.invokeSequences = invokeSequences
        self.layers = layers
        self.observers = observers
        self.observedPoints = observers.reduce(into: Set()) { $0.formUnion($1.points) }
        self.state = Mutex(State(invokes: Array(repeating: InvokeStateMachine(), count: invokeSequences.count)))
    }

    /// A bus with no interventions and no observers: every point passes at once.
    public static func passive(layout: SequenceLayout, layers: Int) -> HookBus {
        let bus = HookBus(layout: layout, invokeSequences: [0..<layout.lengths.count], layers: layers)
        bus.interventionFinished(invoke: 0)
        return bus
    }

    // MARK: - Forward pass side

    /// Called by the forward pass at `point` with the packed value; returns once every invoke that
    /// asked for the point has moved on, with their edits applied to `packed`.
    /// - Throws: ``TraceStopped`` if an intervention called ``stop()``; the error that aborted the trace.
    public func reach(_ point: HookPoint, _ packed: inout Tensor) async throws {
        // An invoke that skips a block does not see the block's inner points, even when the
        // block is computed for other rows.
        let skipping = point.isInsideBlock ? Set(skips(layer: point.layer ?? -1).keys) : []
        for invoke in invokeSequences.indices where !skipping.contains(invoke) {
            while true {
                let arrival = try state.withLock { s throws -> InvokeStateMachine.Arrival in
                    if let failure = s.failure { throw failure }
                    return s.invokes[invoke].arrive(at: point)
                }
                switch arrival {
                case .pass:
                    break
                case .deliver(let request):
                    let value = layout.leftPadded(packed, sequences: invokeSequences[invoke])
                    state.withLock { s in
                        s.invokes[invoke].held = value
                        if value.isTracked { s.reads[invoke, default: [:]][point] = value }
                    }
                    request.resume(returning: value)
                    try await park(invoke)
                    let (held, changed) = state.withLock { $0.invokes[invoke].release(point) }
                    // With gradients, what flows on is always the invoke's value, so the
                    // gradient through this point passes through the node the invoke read.
                    if let held, changed || held.isTracked {
                        layout.scatter(held, into: &packed, sequences: invokeSequences[invoke])
                    }
                case .park:
                    try await park(invoke)
                    continue
                case .failAndPark(let request, let error):
                    request.resume(throwing: error)
                    try await park(invoke)
                    continue
                }
                break
            }
        }
        if observedPoints.contains(point) {
            for observer in observers where observer.points.contains(point) { observer.observe(point, packed, layout: layout) }
        }
        let stopped = state.withLock { s in
            if s.stopRequested, s.stoppedAfter == nil { s.stoppedAfter = point }
            return s.stopRequested
        }
        if stopped { throw TraceStopped(after: point) }
    }

    /// Whether anyone takes the value at `point` if the forward pass produces it: an invoke of
    /// this trace waiting for exactly that point (and not skipping its block), or an observer
    /// recording it. Exact once the point before it has been reached, since every invoke has then
    /// said what it needs next; the forward pass asks it to compute optional values (attention
    /// probabilities) only on request.
    public func wants(_ point: HookPoint) -> Bool {
        if observedPoints.contains(point) { return true }
        let skipping = point.isInsideBlock ? Set(skips(layer: point.layer ?? -1).keys) : []
        return state.withLock { s in
            s.invokes.indices.contains { !skipping.contains($0) && s.invokes[$0].isWaiting(for: point) }
        }
    }

    /// Whether nothing at or after `point` can be taken any more: every invoke's intervention code
    /// has returned and no observer watches such a point.
    public func isDone(before point: HookPoint) -> Bool {
        if observedPoints.contains(where: { $0 >= point }) { return false }
        return state.withLock { s in s.invokes.allSatisfy(\.isFinished) }
    }

    /// Replacement outputs for layer `layer`, by invoke (nil: the layer's input passes through),
    /// for the invokes that asked to skip it.
    public func skips(layer: Int) -> [Int: Tensor?] {
        state.withLock { $0.skips[layer] ?? [:] }
    }

    /// The forward pass is over (`reason` says why); requests still waiting fail with it.
    public func finish(reason: String) {
        let waiting = state.withLock { s in
            s.endReason = reason
            return s.invokes.indices.compactMap { s.invokes[$0].end() }
        }
        for (continuation, point) in waiting {
            continuation.resume(throwing: TraceError.neverReached(point, reason: reason))
        }
    }

    private func park(_ invoke: Int) async throws {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, Error>) in
                let now: Result<Void, Error>? = state.withLock { s in
                    if let failure = s.failure { return .failure(failure) }
                    if s.invokes[invoke].mayContinue { return .success(()) }
                    s.invokes[invoke].parkedPipeline = c
                    return nil
                }
                if let now { c.resume(with: now) }
            }
        } onCancel: {
            abort(CancellationError())
        }
    }

    // MARK: - Intervention side

    /// The value at `point` for `invoke`, [sequences, length, width], once the forward pass gets there.
    /// - Throws: ``TraceError`` if the point has passed, does not exist, or will never be reached.
    public func value(at point: HookPoint, invoke: Int) async throws -> Tensor {
        if let layer = point.layer, layer < 0 || layer >= layers { throw TraceError.layerOutOfRange(point, layers: layers) }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Tensor, Error>) in
                let outcome = state.withLock { s -> Result<InvokeStateMachine.Request, Error> in
                    if let failure = s.failure { return .failure(failure) }
                    return .success(s.invokes[invoke].request(point, continuation: c, endReason: s.endReason))
                }
                switch outcome {
                case .failure(let error): c.resume(throwing: error)
                case .success(.value(let value)): c.resume(returning: value)
                case .success(.fail(let error)): c.resume(throwing: error)
                case .success(.wait(let pipeline)): pipeline?.resume()
                }
            }
        } onCancel: {
            abort(CancellationError())
        }
    }

    /// Changes the value at `point` for `invoke` in place; everything downstream sees the change.
    public func edit(_ point: HookPoint, invoke: Int, _ body: (inout Tensor) throws -> Void) async throws {
        var value = try await value(at: point, invoke: invoke)
        let shape = value.shape
        try body(&value)
        guard value.shape == shape else { throw TraceError.shapeMismatch(point, expected: shape, got: value.shape) }
        state.withLock { s in
            s.invokes[invoke].held = value
            s.invokes[invoke].changed = true
        }
    }

    /// Skips layer `layer` for `invoke`: its output becomes `output` (or its input, if nil).
    /// Must be asked before `layers_input.layer` has passed.
    public func skip(layer: Int, invoke: Int, output: Tensor?) async throws {
        let point = HookPoint.layerInput(layer)
        do {
            let input = try await value(at: point, invoke: invoke)
            if let output, output.shape != input.shape {
                throw TraceError.shapeMismatch(.layerOutput(layer), expected: input.shape, got: output.shape)
            }
        } catch TraceError.outOfOrder(_, let passed) {
            throw TraceError.skipTooLate(layer: layer, passed: passed)
        }
        state.withLock { $0.skips[layer, default: [:]][invoke] = .some(output) }
    }

    /// Stops the forward pass after the current point: later layers are not computed.
    public func stop() {
        state.withLock { $0.stopRequested = true }
    }

    /// The values `invoke` has read so far, by point (traces with gradients only).
    public func reads(invoke: Int) -> [HookPoint: Tensor] { state.withLock { $0.reads[invoke] ?? [:] } }

    /// The values every invoke has read so far (traces with gradients only).
    public func allReads() -> [Tensor] { state.withLock { $0.reads.values.flatMap(\.values) } }

    /// The error that ended the trace, if one did.
    public var failure: Error? { state.withLock { $0.failure } }

    /// Whether an intervention asked to stop.
    public var isStopRequested: Bool { state.withLock { $0.stopRequested } }

    /// The last point the forward pass produced before a ``stop()`` ended it; nil while it has not
    /// ended that way. Points after it were never reached, for invokes and observers alike.
    public var stoppedAfter: HookPoint? { state.withLock { $0.stoppedAfter } }

    /// `invoke`'s intervention code has returned: the forward pass no longer waits for it.
    public func interventionFinished(invoke: Int) {
        state.withLock { $0.invokes[invoke].finish() }?.resume()
    }

    /// Ends the trace with `error`: every waiting party fails with it.
    public func abort(_ error: Error) {
        let (parked, waiting) = state.withLock { s -> ([CheckedContinuation<Void, Error>], [CheckedContinuation<Tensor, Error>]) in
            if s.failure == nil { s.failure = error }
            var parked: [CheckedContinuation<Void, Error>] = []
            var waiting: [CheckedContinuation<Tensor, Error>] = []
            for i in s.invokes.indices {
                if let p = s.invokes[i].parkedPipeline { parked.append(p); s.invokes[i].parkedPipeline = nil }
                if let w = s.invokes[i].end() { waiting.append(w.continuation) }
            }
            return (parked, waiting)
        }
        let failure = state.withLock { $0.failure } ?? error
        parked.forEach { $0.resume(throwing: failure) }
        waiting.forEach { $0.resume(throwing: failure) }
    }
}
