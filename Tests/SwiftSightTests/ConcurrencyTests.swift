import Foundation
import SwiftSight
@_spi(Testing) import SwiftSightLayers
import Testing

/// Many traces at once on one model: each result equals the same trace run alone.
@Suite struct ConcurrencyTests {
    enum Scenario: Sendable {
        case read(layer: Int)
        case steer(layer: Int, by: Float)
        case readThenStop(layer: Int)
        case skip(layer: Int)
    }

    static let prompts = ["My tailor is rich", "Hello world", "Paris is the capital of France.",
                          "Once upon a time there was a little model", "def f(x):\n    return x", "Привет, мир!"]

    static func scenarios(count: Int) -> [(prompt: String, scenario: Scenario)] {
        var rng = SplitMix(seed: 42)
        return (0..<count).map { _ in
            let prompt = prompts[rng.next(prompts.count)]
            let layer = rng.next(3)
            let scenario: Scenario = switch rng.next(4) {
            case 0: .read(layer: layer)
            case 1: .steer(layer: layer, by: Float(rng.next(5)) - 2)
            case 2: .readThenStop(layer: layer)
            default: .skip(layer: layer)
            }
            return (prompt, scenario)
        }
    }

    static func run(_ s: Scenario, _ prompt: String, on model: StandardizedTransformer) async throws -> [Tensor] {
        try await model.trace(prompt) { t in
            switch s {
            case .read(let layer):
                return [try await t.layersOutput[layer], try await t.logits]
            case .steer(let layer, let c):
                try await t.layersOutput.edit(layer) { v in v.withUnsafeMutableBuffer { for i in $0.indices { $0[i] += c } } }
                return [try await t.logits]
            case .readThenStop(let layer):
                let v = try await t.layersOutput[layer]
                t.stop()
                return [v]
            case .skip(let layer):
                try await t.skipLayer(layer)
                return [try await t.mlpsOutput[(layer + 1) % 3 == 0 ? layer : (layer + 1) % 3], try await t.logits]
            }
        }
    }

    @Test func sixtyFourConcurrentTracesEqualSingleRuns() async throws {
        let model = try await TestModels.fixture()
        let cases = Self.scenarios(count: 64)
        var expected: [Result<[Tensor], Error>] = []
        for (prompt, scenario) in cases {
            expected.append(await Result { try await Self.run(scenario, prompt, on: model) })
        }
        let results = await withTaskGroup(of: (Int, Result<[Tensor], Error>).self) { group in
            for (i, (prompt, scenario)) in cases.enumerated() {
                group.addTask { (i, await Result { try await Self.run(scenario, prompt, on: model) }) }
            }
            var out = [Result<[Tensor], Error>?](repeating: nil, count: cases.count)
            for await (i, r) in group { out[i] = r }
            return out
        }
        for (i, result) in results.enumerated() {
            switch (result, expected[i]) {
            case let (.success(got)?, .success(want)):
                #expect(got.count == want.count)
                for (g, w) in zip(got, want) { #expect(try g.maxAbsDifference(w) <= 1e-5, "case \(i): \(cases[i].scenario)") }
            case let (.failure(got)?, .failure(want)):
                #expect(String(describing: got) == String(describing: want), "case \(i)")
            default:
                Issue.record("case \(i) \(cases[i].scenario): \(String(describing: result)) vs \(expected[i])")
            }
        }
    }

    @Test func concurrentForwardsAreIndependent() async throws {
        let model = try await TestModels.fixture()
        var expected: [String: Tensor] = [:]
        for p in Self.prompts { expected[p] = try await model.forward(model.batch([p])) }
        let snapshot = expected
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<48 {
                group.addTask {
                    let p = Self.prompts[i % Self.prompts.count]
                    let logits = try await model.forward(model.batch([p]))
                    #expect(try logits.maxAbsDifference(snapshot[p]!) <= 1e-5)
                }
            }
            try await group.waitForAll()
        }
    }
}

/// A small seeded generator so the stress test is the same every run.
struct SplitMix {
    private var source: SplitMix64
    init(seed: UInt64) { source = SplitMix64(seed: seed) }
    mutating func next(_ bound: Int) -> Int { Int(source.next() % UInt64(bound)) }
}

extension Result where Failure == Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
