import SwiftSightLayers

/// One trace's meeting point between the forward pass and its intervention code.
///
/// The forward pass calls ``reach(_:_:)`` at every hook point, in forward order. Each invoke's
/// intervention code asks for points with ``value(at:invoke:)`` (and edits them with
/// ``edit(_:invoke:_:)``); a request is served when the forward pass reaches its point, and the
/// forward pass waits at a point until every invoke that asked for it has moved on. Points
/// carry sequence numbers (``HookPoint/sequenceNumber``), so a request for a point that has
/// passed fails at once with ``TraceError/outOfOrder(requested:passed:)``. Invokes are served
/// in the order they were defined; observers (the cache) see each point last.
///
/// This class is the façade: the trace's fixed description and the tensor work (an invoke's
/// rows in and out of the packed value). Its storage (`HookBusStorage`) holds the lock and the
/// suspended parties; every decision is made by `HookBusStateMachine` (Docs/HookBus.md).
package final class HookBus: Sendable {
    /// The tape the forward pass records on, for traces that take gradients.
    package let tape: GradientTape?

    /// Rows of each sequence in the packed activations.
    package let layout: SequenceLayout
    /// Sequences belonging to each invoke, in definition order.
    package let invokeSequences: [Range<Int>]
    /// Number of layers, to reject requests for layers that do not exist.
    package let layers: Int
    /// The observers (such as the cache) that see each point after the interventions.
    package let observers: [HookObserver]
    private let observedPoints: Set<HookPoint>
    private let storage: HookBusStorage

    /// A bus for one trace. `invokeSequences` must cover the layout's sequences in order.
    package init(layout: SequenceLayout, invokeSequences: [Range<Int>], layers: Int, observers: [HookObserver] = [],
                tape: GradientTape? = nil) {
        self.tape = tape
        self.layout = layout
        self.invokeSequences = invokeSequences
        self.layers = layers
        self.observers = observers
        self.observedPoints = observers.reduce(into: Set()) { $0.formUnion($1.points) }
        self.storage = HookBusStorage(invokes: invokeSequences.count)
    }

    /// A bus with no interventions and no observers: every point passes at once.
    package static func passive(layout: SequenceLayout, layers: Int) -> HookBus {
        let bus = HookBus(layout: layout, invokeSequences: [0..<layout.lengths.count], layers: layers)
        bus.interventionFinished(invoke: 0)
        return bus
    }

    // MARK: - Forward pass side

    /// Called by the forward pass at `point` with the packed value; returns once every invoke that
    /// asked for the point has moved on, with their edits applied to `packed`.
    /// - Throws: ``TraceStopped`` if an intervention called ``stop()``; the error that aborted the trace.
    package func reach(_ point: HookPoint, _ packed: inout Tensor) async throws {
        // An invoke that skips a block does not see the block's inner points, even when the
        // block is computed for other rows.
        let skipping = point.isInsideBlock ? skips(layer: point.layer ?? -1) : [:]
        for invoke in invokeSequences.indices where skipping.index(forKey: invoke) == nil {
            while true {
                switch storage.withMachine({ $0.pointReached(point, invoke: invoke) }) {
                case .pass:
                    break
                case .deliver(let request):
                    let value = layout.leftPadded(packed, sequences: invokeSequences[invoke])
                    storage.withMachine { $0.delivered(value, at: point, invoke: invoke) }
                    request.resume(returning: value)
                    try await storage.park(invoke: invoke)
                    if let held = storage.withMachine({ $0.released(point, invoke: invoke) }) {
                        layout.scatter(held, into: &packed, sequences: invokeSequences[invoke])
                    }
                case .park:
                    try await storage.park(invoke: invoke)
                    continue
                case .failAndPark(let request, let error):
                    request.resume(throwing: error)
                    try await storage.park(invoke: invoke)
                    continue
                case .fail(let error):
                    throw error
                }
                break
            }
        }
        if observedPoints.contains(point) {
            for observer in observers where observer.points.contains(point) { observer.observe(point, packed, layout: layout) }
        }
        if storage.withMachine({ $0.pointLeft(point) }) { throw TraceStopped(after: point) }
    }

    /// Whether anyone takes the value at `point` if the forward pass produces it: an invoke of
    /// this trace waiting for exactly that point (and not skipping its block), or an observer
    /// recording it. Exact once the point before it has been reached, since every invoke has then
    /// said what it needs next; the forward pass asks it to compute optional values (attention
    /// probabilities) only on request.
    package func wants(_ point: HookPoint) -> Bool {
        if observedPoints.contains(point) { return true }
        return storage.withMachine { $0.wants(point) }
    }

    /// Whether nothing at or after `point` can be taken any more: every invoke's intervention code
    /// has returned and no observer watches such a point.
    package func isDone(before point: HookPoint) -> Bool {
        if observedPoints.contains(where: { $0 >= point }) { return false }
        return storage.withMachine { $0.allFinished }
    }

    /// Replacement outputs for layer `layer`, by invoke (nil: the layer's input passes through),
    /// for the invokes that asked to skip it.
    package func skips(layer: Int) -> [Int: Tensor?] {
        storage.withMachine { $0.skips[layer] ?? [:] }
    }

    /// The forward pass is over (`reason` says why); requests still waiting fail with it.
    package func finish(reason: String) {
        storage.finish(reason: reason)
    }

    // MARK: - Intervention side

    /// The value at `point` for `invoke`, [sequences, length, width], once the forward pass gets there.
    /// - Throws: ``TraceError`` if the point has passed, does not exist, or will never be reached.
    package func value(at point: HookPoint, invoke: Int) async throws -> Tensor {
        if let layer = point.layer, layer < 0 || layer >= layers { throw TraceError.layerOutOfRange(point, layers: layers) }
        return try await storage.value(at: point, invoke: invoke)
    }

    /// Changes the value at `point` for `invoke` in place; everything downstream sees the change.
    package func edit(_ point: HookPoint, invoke: Int, _ body: (inout Tensor) throws -> Void) async throws {
        var value = try await value(at: point, invoke: invoke)
        let shape = value.shape
        try body(&value)
        guard value.shape == shape else { throw TraceError.shapeMismatch(point, expected: shape, got: value.shape) }
        storage.withMachine { [value] in $0.edited(invoke: invoke, value) }
    }

    /// Skips layer `layer` for `invoke`: its output becomes `output` (or its input, if nil).
    /// Must be asked before `layers_input.layer` has passed.
    package func skip(layer: Int, invoke: Int, output: Tensor?) async throws {
        let point = HookPoint.layerInput(layer)
        do {
            let input = try await value(at: point, invoke: invoke)
            if let output, output.shape != input.shape {
                throw TraceError.shapeMismatch(.layerOutput(layer), expected: input.shape, got: output.shape)
            }
        } catch TraceError.outOfOrder(_, let passed) {
            throw TraceError.skipTooLate(layer: layer, passed: passed)
        }
        storage.withMachine { $0.skipRequested(layer: layer, invoke: invoke, output: output) }
    }

    /// Stops the forward pass after the current point: later layers are not computed.
    package func stop() {
        storage.withMachine { $0.stopRequested() }
    }

    /// The values `invoke` has read so far, by point (traces with gradients only).
    package func reads(invoke: Int) -> [HookPoint: Tensor] { storage.withMachine { $0.reads[invoke] ?? [:] } }

    /// The values every invoke has read so far (traces with gradients only).
    package func allReads() -> [Tensor] { storage.withMachine { $0.reads.values.flatMap(\.values) } }

    /// The error that ended the trace, if one did.
    package var failure: Error? { storage.withMachine { $0.failure } }

    /// Whether an intervention asked to stop.
    package var isStopRequested: Bool { storage.withMachine { $0.isStopRequested } }

    /// The last point the forward pass produced before a ``stop()`` ended it; nil while it has not
    /// ended that way. Points after it were never reached, for invokes and observers alike.
    package var stoppedAfter: HookPoint? { storage.withMachine { $0.stoppedAfter } }

    /// `invoke`'s intervention code has returned: the forward pass no longer waits for it.
    package func interventionFinished(invoke: Int) {
        storage.interventionFinished(invoke: invoke)
    }

    /// Ends the trace with `error`: every waiting party fails with it.
    package func abort(_ error: Error) {
        storage.abort(error)
    }
}
