@testable import SwiftSightHooks
import SwiftSightLayers
import Synchronization

/// A two-layer forward pass with no model, reaching every point on one or more buses the way
/// the pipeline's stages do: per block, attention output = input + 1, MLP output = 2·(input +
/// attention output), layer output = 3·(2·input + 1); the head passes values through. Rows are
/// packed [rows, width]; with several buses (merged traces) each owns a contiguous block of rows.
final class FakeForward: Sendable {
    static let layers = 2
    /// The buses reached, in order, with the packed rows each owns.
    let buses: [(bus: HookBus, rows: Range<Int>)]
    let width: Int
    /// Blocks computed (a skipped block whose rows all belong to skipping invokes is not).
    let blocksComputed = Counter()

    final class Counter: Sendable {
        private let count = Atomic<Int>(0)
        func add() { count.add(1, ordering: .relaxed) }
        var value: Int { count.load(ordering: .relaxed) }
    }

    init(_ buses: [HookBus], width: Int = 2) {
        var start = 0
        self.buses = buses.map { bus in
            defer { start += bus.layout.rows }
            return (bus, start..<start + bus.layout.rows)
        }
        self.width = width
    }

    /// Embeddings where every value of sequence s (numbered across buses) is s + 1.
    func embeddings() -> Tensor {
        var values: [Float] = []
        var sequence = 0
        for (bus, _) in buses {
            for length in bus.layout.lengths {
                sequence += 1
                values += Array(repeating: Float(sequence), count: length * width)
            }
        }
        return Tensor(uncheckedShape: [values.count / width, width], values: values)
    }

    /// Runs the pass; returns the logits. A bus that fails (stop, abort) drops out, as in
    /// `MergedItems.fire`; with one bus its error is thrown.
    func run() async throws -> Tensor {
        var x = embeddings()
        try await fire(.tokenEmbeddings, &x)
        for layer in 0..<Self.layers {
            try await fire(.layerInput(layer), &x)
            let input = x
            var output = try await block(layer, input)
            for (bus, rows) in buses where failures.withLock({ $0[ObjectIdentifier(bus)] == nil }) {
                var mine = output.rows(unchecked: rows)
                for (invoke, replacement) in bus.skips(layer: layer) {
                    let sequences = bus.invokeSequences[invoke]
                    bus.layout.scatter(replacement ?? bus.layout.leftPadded(input.rows(unchecked: rows), sequences: sequences),
                                       into: &mine, sequences: sequences)
                }
                write(mine, at: rows, into: &output)
            }
            x = output
            try await fire(.layerOutput(layer), &x)
        }
        var normed = x
        try await fire(.lnFinal, &normed)
        var logits = normed
        try await fire(.logits, &logits)
        return logits
    }

    private func block(_ layer: Int, _ x: Tensor) async throws -> Tensor {
        let skippedByAll = buses.allSatisfy { $0.bus.skips(layer: layer).count == $0.bus.invokeSequences.count }
        if skippedByAll { return x }
        blocksComputed.add()
        var attentionInput = x
        try await fire(.attentionInput(layer), &attentionInput)
        if buses.contains(where: { $0.bus.wants(.attentionProbabilities(layer)) }) {
            var probabilities = Tensor(uncheckedShape: [x.shape[0], 1], values: Array(repeating: 1, count: x.shape[0]))
            try await fire(.attentionProbabilities(layer), &probabilities)
        }
        var attention = map(attentionInput) { $0 + 1 }
        try await fire(.attentionOutput(layer), &attention)
        let h = zip(x, attention, +)
        var mlpInput = h
        try await fire(.mlpInput(layer), &mlpInput)
        var mlp = map(mlpInput) { 2 * $0 }
        try await fire(.mlpOutput(layer), &mlp)
        return zip(h, mlp, +)
    }

    /// The buses' errors, by bus, once they dropped out.
    let failures = Mutex<[ObjectIdentifier: Error]>([:])

    /// Fires `point` on every live bus, in order, with its rows (as `MergedItems.fire`).
    private func fire(_ point: HookPoint, _ packed: inout Tensor) async throws {
        if buses.count == 1 {
            try await buses[0].bus.reach(point, &packed)
            return
        }
        for (bus, rows) in buses where failures.withLock({ $0[ObjectIdentifier(bus)] == nil }) {
            var value = packed.rows(unchecked: rows)
            do {
                try await bus.reach(point, &value)
                write(value, at: rows, into: &packed)
            } catch {
                failures.withLock { $0[ObjectIdentifier(bus)] = error }
            }
        }
        if failures.withLock({ $0.count }) == buses.count { throw AllDroppedOut() }
    }

    struct AllDroppedOut: Error {}

    private func write(_ rows: Tensor, at range: Range<Int>, into packed: inout Tensor) {
        var values = packed.scalars
        let width = packed.count / packed.shape[0]
        values.replaceSubrange(range.lowerBound * width..<range.upperBound * width, with: rows.scalars)
        packed = Tensor(uncheckedShape: packed.shape, values: values)
    }

    private func map(_ t: Tensor, _ f: (Float) -> Float) -> Tensor {
        Tensor(uncheckedShape: t.shape, values: t.scalars.map(f))
    }

    private func zip(_ a: Tensor, _ b: Tensor, _ f: (Float, Float) -> Float) -> Tensor {
        Tensor(uncheckedShape: a.shape, values: Swift.zip(a.scalars, b.scalars).map(f))
    }
}

/// Runs a fake forward pass and one task per invoke, as a trace does: the forward pass finishes
/// the buses when it ends (or aborts them when it fails), each invoke reports when its code
/// returns, and the first error aborts its bus.
func trace<R: Sendable>(_ forward: FakeForward, invokes: [Intervention<R>]) async throws -> (logits: Tensor?, values: [R]) {
    try await withThrowingTaskGroup(of: (Int, Tensor?, R?).self) { group in
        group.addTask {
            do {
                let logits = try await forward.run()
                forward.buses.forEach { $0.bus.finish(reason: "the forward pass completed without producing it") }
                return (-1, logits, nil)
            } catch let stop as TraceStopped {
                forward.buses.forEach { $0.bus.finish(reason: "the trace was stopped after \(stop.after)") }
                return (-1, nil, nil)
            } catch {
                forward.buses.forEach { $0.bus.abort(error) }
                throw error
            }
        }
        for (i, intervention) in invokes.enumerated() {
            let (bus, invoke, body) = (intervention.bus, intervention.invoke, intervention.body)
            group.addTask {
                do {
                    let value = try await body(bus, invoke)
                    bus.interventionFinished(invoke: invoke)
                    return (i, nil, value)
                } catch {
                    bus.abort(error)
                    throw error
                }
            }
        }
        var logits: Tensor?
        var values = [R?](repeating: nil, count: invokes.count)
        for try await (i, l, value) in group {
            if i < 0 { logits = l } else { values[i] = value }
        }
        return (logits, values.compactMap { $0 })
    }
}

/// One invoke's intervention code on a bus.
struct Intervention<R: Sendable>: Sendable {
    let bus: HookBus
    let invoke: Int
    let body: @Sendable (HookBus, Int) async throws -> R

    init(_ bus: HookBus, _ invoke: Int, _ body: @escaping @Sendable (HookBus, Int) async throws -> R) {
        (self.bus, self.invoke, self.body) = (bus, invoke, body)
    }
}
