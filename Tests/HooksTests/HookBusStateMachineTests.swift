import Testing
@testable import SwiftSightHooks
import SwiftSightLayers

/// The bus's state machine walked state by state, without tasks or a model (as swift-nio tests
/// `NIOAsyncSequenceProducer`'s): every state an invoke can be in × every event, each cell the
/// action returned and the state left behind. Suspended parties are labels: `w` an intervention
/// waiting for a value, `p` the parked forward pass.
@Suite struct HookBusStateMachineTests {
    typealias Machine = HookBusStateMachine<String, String>

    /// Three points of the one-invoke timeline, in forward order.
    static let a = HookPoint.layerInput(0), b = HookPoint.layerOutput(0), c = HookPoint.lnFinal
    struct Boom: Error {}

    static func value(_ x: Float) -> Tensor { Tensor(uncheckedShape: [1, 1, 1], values: [x]) }

    /// How to bring a fresh one-invoke machine into each state.
    static let states: [(String, @Sendable (inout Machine) -> Void)] = [
        // Intervention code runs and has asked for nothing yet.
        ("running", { _ in }),
        // The intervention waits for B.
        ("waiting", { m in _ = m.valueRequested(b, invoke: 0, "w") }),
        // The forward pass reached A before the intervention said what it needs: parked.
        ("parked", { m in _ = m.pointReached(a, invoke: 0); _ = m.parking(invoke: 0, "p") }),
        // A was delivered; the intervention holds its value, the forward pass is parked.
        ("holding", { m in holding(&m) }),
        // Each of these held A, did something, then asked for B (which resumes the forward pass).
        ("edited", { m in holding(&m); m.edited(invoke: 0, value(2)); _ = m.valueRequested(b, invoke: 0, "w") }),
        ("skipped", { m in holding(&m); m.skipRequested(layer: 0, invoke: 0, output: nil); _ = m.valueRequested(b, invoke: 0, "w") }),
        ("stopped", { m in holding(&m); m.stopRequested(); _ = m.valueRequested(b, invoke: 0, "w") }),
        ("cancelled", { m in _ = m.valueRequested(b, invoke: 0, "w"); _ = m.abort(CancellationError()) }),
        ("failed", { m in _ = m.valueRequested(b, invoke: 0, "w"); _ = m.abort(Boom()) }),
        // The intervention code returned.
        ("finished", { m in _ = m.interventionFinished(invoke: 0) }),
        // The forward pass is over.
        ("ended", { m in _ = m.finish(reason: "over") }),
    ]

    static func holding(_ m: inout Machine) {
        _ = m.valueRequested(a, invoke: 0, "w")
        _ = m.pointReached(a, invoke: 0)
        m.delivered(value(1), at: a, invoke: 0)
        _ = m.parking(invoke: 0, "p")
    }

    /// Each event, applied to a machine, returns its action as text.
    static let events: [(String, @Sendable (inout Machine) -> String)] = [
        ("reach B", { m in describe(m.pointReached(b, invoke: 0)) }),
        // Past B without producing it (B was inside a block the invoke skips).
        ("reach C", { m in describe(m.pointReached(c, invoke: 0)) }),
        ("release A", { m in
            let back = m.released(a, invoke: 0).map(describe) ?? "nothing back"
            return back + (m.pointLeft(a) ? ", stop" : "")
        }),
        ("ask A", { m in describe(m.valueRequested(a, invoke: 0, "w2")) }),
        ("ask B", { m in describe(m.valueRequested(b, invoke: 0, "w2")) }),
        ("edit", { m in m.edited(invoke: 0, value(3)); return "-" }),
        ("skip", { m in m.skipRequested(layer: 0, invoke: 0, output: value(4)); return "-" }),
        ("stop", { m in m.stopRequested(); return "-" }),
        ("cancel", { m in describe(m.abort(CancellationError())) }),
        ("abort", { m in describe(m.abort(Boom())) }),
        ("finish", { m in m.finish(reason: "over").map { "fail \($0.0): \(describe($0.1))" }.joined(separator: ", ").nonEmpty ?? "-" }),
        ("intervention finished", { m in m.interventionFinished(invoke: 0).map { "resume \($0)" } ?? "-" }),
    ]

    /// Why an event cannot happen in a state, through ``HookBus``; such cells are not walked.
    static func unreachable(_ event: String, in state: String) -> String? {
        let forwardParked = ["parked", "holding"], interventionSuspended = ["waiting", "edited", "skipped", "stopped"]
        switch event {
        case "reach B", "reach C", "finish":
            if forwardParked.contains(state) { return "the forward pass is parked" }
            if event != "finish", ["edited", "skipped", "stopped"].contains(state) { return "the forward pass releases A first" }
            if state == "ended" { return "the forward pass is over" }
        case "release A":
            // Only a forward pass that parked at A, and was resumed, releases it.
            if !["edited", "skipped", "stopped"].contains(state) { return "the forward pass is not parked at A, or still is" }
        case "edit", "skip":
            // Both follow a delivered value, under the same invoke.
            if state != "holding" { return "the invoke holds no value" }
        case "ask A", "ask B", "stop", "intervention finished":
            if interventionSuspended.contains(state) { return "the intervention is suspended in its request" }
            if state == "finished" { return "the intervention code has returned" }
        default:
            return nil
        }
        return nil
    }

    /// Every reachable cell: "action → state after it". Read a row as "in this state, each event does...".
    static let expected: [String: [String: String]] = [
        "running": [
            "reach B": "park → running",
            "reach C": "park → running",
            "ask A": "suspended → waiting(A, w2)",
            "ask B": "suspended → waiting(B, w2)",
            "stop": "- → running stop",
            "cancel": "fail with CancellationError → running failure(CancellationError)",
            "abort": "fail with Boom → running failure(Boom)",
            "finish": "- → running ended",
            "intervention finished": "- → finished",
        ],
        "waiting": [
            "reach B": "deliver to w → holding(B)",
            "reach C": "fail w: neverReached(B), park → running",
            "cancel": "fail with CancellationError, fail w → running failure(CancellationError)",
            "abort": "fail with Boom, fail w → running failure(Boom)",
            "finish": "fail w: neverReached(B) → running ended",
        ],
        "parked": [
            "ask A": "suspended, resume p → waiting(A, w2)",
            "ask B": "suspended, resume p → waiting(B, w2)",
            "stop": "- → running parked p stop",
            "cancel": "fail with CancellationError, fail p → running failure(CancellationError)",
            "abort": "fail with Boom, fail p → running failure(Boom)",
            "intervention finished": "resume p → finished",
        ],
        "holding": [
            "ask A": "resume with v1 → holding(A) held v1 parked p",
            "ask B": "suspended, resume p → waiting(B, w2) held v1",
            "edit": "- → holding(A) held v3 changed parked p",
            "skip": "- → holding(A) held v1 parked p skips[0]",
            "stop": "- → holding(A) held v1 parked p stop",
            "cancel": "fail with CancellationError, fail p → holding(A) held v1 failure(CancellationError)",
            "abort": "fail with Boom, fail p → holding(A) held v1 failure(Boom)",
            "intervention finished": "resume p → finished held v1",
        ],
        "edited": [
            "release A": "v2 → waiting(B, w) passed A",
            "cancel": "fail with CancellationError, fail w → running held v2 changed failure(CancellationError)",
            "abort": "fail with Boom, fail w → running held v2 changed failure(Boom)",
            "finish": "fail w: neverReached(B) → running held v2 changed ended",
        ],
        "skipped": [
            "release A": "nothing back → waiting(B, w) passed A skips[0]",
            "cancel": "fail with CancellationError, fail w → running held v1 skips[0] failure(CancellationError)",
            "abort": "fail with Boom, fail w → running held v1 skips[0] failure(Boom)",
            "finish": "fail w: neverReached(B) → running held v1 skips[0] ended",
        ],
        "stopped": [
            "release A": "nothing back, stop → waiting(B, w) passed A stop stopped after A",
            "cancel": "fail with CancellationError, fail w → running held v1 stop failure(CancellationError)",
            "abort": "fail with Boom, fail w → running held v1 stop failure(Boom)",
            "finish": "fail w: neverReached(B) → running held v1 stop ended",
        ],
        "cancelled": [
            "reach B": "throw CancellationError → running failure(CancellationError)",
            "reach C": "throw CancellationError → running failure(CancellationError)",
            "ask A": "fail: CancellationError → running failure(CancellationError)",
            "ask B": "fail: CancellationError → running failure(CancellationError)",
            "stop": "- → running stop failure(CancellationError)",
            "cancel": "fail with CancellationError → running failure(CancellationError)",
            "abort": "fail with CancellationError → running failure(CancellationError)",
            "finish": "- → running failure(CancellationError) ended",
            "intervention finished": "- → finished failure(CancellationError)",
        ],
        "failed": [
            "reach B": "throw Boom → running failure(Boom)",
            "reach C": "throw Boom → running failure(Boom)",
            "ask A": "fail: Boom → running failure(Boom)",
            "ask B": "fail: Boom → running failure(Boom)",
            "stop": "- → running stop failure(Boom)",
            "cancel": "fail with Boom → running failure(Boom)",
            "abort": "fail with Boom → running failure(Boom)",
            "finish": "- → running failure(Boom) ended",
            "intervention finished": "- → finished failure(Boom)",
        ],
        "finished": [
            "reach B": "pass → finished passed B",
            "reach C": "pass → finished passed C",
            "cancel": "fail with CancellationError → finished failure(CancellationError)",
            "abort": "fail with Boom → finished failure(Boom)",
            "finish": "- → finished ended",
        ],
        "ended": [
            "ask A": "fail: neverReached(A) → running ended",
            "ask B": "fail: neverReached(B) → running ended",
            "stop": "- → running stop ended",
            "cancel": "fail with CancellationError → running failure(CancellationError) ended",
            "abort": "fail with Boom → running failure(Boom) ended",
            "intervention finished": "- → finished ended",
        ],
    ]

    /// The state in a few words.
    static func describe(_ m: Machine) -> String {
        let invoke = m.invokes[0]
        var words = [describe(invoke.phase)]
        if let passed = invoke.passed { words.append("passed \(name(passed))") }
        if let held = invoke.held { words.append("held \(describe(held))") }
        if invoke.changed { words.append("changed") }
        if let parked = invoke.parkedPipeline { words.append("parked \(parked)") }
        if !m.skips.isEmpty { words.append("skips\(m.skips.keys.sorted())") }
        if m.isStopRequested { words.append("stop") }
        if let after = m.stoppedAfter { words.append("stopped after \(name(after))") }
        if let failure = m.failure { words.append("failure(\(describe(failure)))") }
        if m.endReason != nil { words.append("ended") }
        if !m.reads.isEmpty { words.append("reads") }
        return words.joined(separator: " ")
    }

    static func describe(_ phase: InvokeStateMachine<String, String>.Phase) -> String {
        switch phase {
        case .running: "running"
        case .waiting(let point, let w): "waiting(\(name(point)), \(w))"
        case .holding(let point): "holding(\(name(point)))"
        case .finished: "finished"
        }
    }

    static func name(_ point: HookPoint) -> String { point == a ? "A" : point == b ? "B" : point == c ? "C" : point.name }

    static func describe(_ value: Tensor) -> String { "v\(Int(value.scalars.first ?? -1))" }

    static func describe(_ error: Error) -> String {
        switch error {
        case TraceError.outOfOrder(let requested, let passed): "outOfOrder(\(name(requested)) after \(name(passed)))"
        case TraceError.neverReached(let point, _): "neverReached(\(name(point)))"
        case let error as TraceError: "\(error)"
        default: "\(type(of: error))"
        }
    }

    static func describe(_ action: Machine.Arrival) -> String {
        switch action {
        case .pass: "pass"
        case .deliver(let w): "deliver to \(w)"
        case .park: "park"
        case .failAndPark(let w, let error): "fail \(w): \(describe(error)), park"
        case .fail(let error): "throw \(describe(error))"
        }
    }

    static func describe(_ action: Machine.RequestAction) -> String {
        switch action {
        case .resume(let value): "resume with \(describe(value))"
        case .fail(let error): "fail: \(describe(error))"
        case .suspended(let parked): parked.map { "suspended, resume \($0)" } ?? "suspended"
        }
    }

    static func describe(_ action: (failure: Error, parked: [String], waiting: [String])) -> String {
        (["fail with \(describe(action.failure))"] + action.parked.map { "fail \($0)" } + action.waiting.map { "fail \($0)" })
            .joined(separator: ", ")
    }

    /// Walks the whole matrix; prints the table it found when a cell differs, so a change of
    /// behaviour shows as a readable diff.
    @Test func everyStateTimesEveryEvent() {
        var found: [String] = []
        var mismatches = 0, walked = 0
        for (state, enter) in Self.states {
            found.append("\"\(state)\": [")
            for (event, apply) in Self.events where Self.unreachable(event, in: state) == nil {
                var machine = Machine(invokes: 1)
                enter(&machine)
                let action = apply(&machine)
                let cell = "\(action) → \(Self.describe(machine))"
                found.append("    \"\(event)\": \"\(cell)\",")
                walked += 1
                if Self.expected[state]?[event] != cell { mismatches += 1 }
            }
            found.append("],")
        }
        #expect(mismatches == 0, "\(found.joined(separator: "\n"))")
        // No expectation for a cell that cannot happen.
        #expect(Self.expected.values.map(\.count).reduce(0, +) == walked)
    }
}

extension String {
    fileprivate var nonEmpty: String? { isEmpty ? nil : self }
}
