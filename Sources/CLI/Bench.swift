import ArgumentParser
import Foundation
import SwiftSight

struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time forward passes and traces (medians after warm-up) on a model.",
        discussion: "Cases: plain forward, a trace reading layers_output[L], the same with stop() after it, "
            + "caching or saving every layer (128 tokens), greedy generation of 20 tokens after 8 (KV cache), and 32 concurrent traces of 64 tokens against the "
            + "same 32 run one after another.")

    @OptionGroup var options: ModelOptions
    @Option(help: "Timed runs per case.") var runs = 11
    @Option(help: "Untimed warm-up runs per case.") var warmup = 2
    @Option(help: "The layer the trace cases read (default: the middle layer, 5 on GPT-2 small).") var layer: Int?
    @Flag(help: "Print one JSON object mapping case names to median milliseconds.") var json = false

    func run() async throws {
        let model = try await options.load()
        let layer = min(self.layer ?? model.numLayers / 2 - 1, model.numLayers - 1)
        var results: [(String, Double, Double)] = []
        func time(_ name: String, _ body: () async throws -> Void) async throws {
            for _ in 0..<warmup { try await body() }
            var times: [Double] = []
            for _ in 0..<runs {
                let start = ContinuousClock.now
                try await body()
                times.append((ContinuousClock.now - start).milliseconds)
            }
            times.sort()
            results.append((name, times[times.count / 2], times[0]))
            if !json { print(Self.line(name, times[times.count / 2], times[0])) }
        }
        if !json { print(BLASRuntime.current) }
        for length in [8, 128] where length <= model.info.maxPositions {
            let ids = BenchText.tokens(length, model: model)
            let prompt = model.tokenizer.decode(ids)
            let batch = TokenBatch([ids])
            try await time("forward_\(length)") { _ = try await model.forward(batch) }
            try await time("trace_read_l\(layer)_\(length)") {
                _ = try await model.trace(invokes: [Invoke(prompt) { t in try await t.layersOutput[layer] }])
            }
            try await time("trace_stop_l\(layer)_\(length)") {
                _ = try await model.trace(invokes: [Invoke(prompt) { t in
                    let v = try await t.layersOutput[layer]
                    t.stop()
                    return v
                }])
            }
            try await time("trace_grad_l1_\(length)") {
                _ = try await model.trace(prompt, gradients: .activations) { t in
                    let l1 = try await t.layersOutput[1]
                    let logits = try await t.logits
                    return try await t.backward(logits.sum()).gradient(of: l1)
                }
            }
            if length == 128 {
                try await time("trace_cache_all_\(length)") {
                    _ = try await model.trace(prompt, cache: .allLayers()) { _ in () }
                }
                try await time("trace_save_all_\(length)") {
                    _ = try await model.trace(prompt) { t in
                        var saved: [Tensor] = []
                        for i in 0..<model.numLayers { saved.append(try await t.layersOutput[i]) }
                        saved.append(try await t.logits)
                        return saved
                    }
                }
            }
        }
        if model.info.maxPositions >= 28 {
            let ids = BenchText.tokens(8, model: model)   // the prompt of Scripts/bench_hf_generate.py
            try await time("generate_greedy_20") {
                _ = try await model.generate(ids: [ids], maxNewTokens: 20, stopAtEndOfText: false)
            }
        }
        let length = min(64, model.info.maxPositions)
        let prompts = (0..<32).map { i in model.tokenizer.decode(BenchText.tokens(length, model: model, offset: i)) }
        try await time("sequential_32x\(length)") {
            for p in prompts { _ = try await model.trace(p) { t in try await t.layersOutput[layer] } }
        }
        let before = model.pipeline.statistics
        try await time("concurrent_32x\(length)") {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for p in prompts { group.addTask { _ = try await model.trace(p) { t in try await t.layersOutput[layer] } } }
                try await group.waitForAll()
            }
        }
        let medians = Dictionary(uniqueKeysWithValues: results.map { ($0.0, $0.1) })
        if json {
            print("{" + results.map { "\"\($0.0)\": \(String(format: "%.3f", $0.1))" }.joined(separator: ", ") + "}")
        } else {
            print("ratios:")
            for length in [8, 128] {
                if let f = medians["forward_\(length)"], let r = medians["trace_read_l\(layer)_\(length)"],
                   let s = medians["trace_stop_l\(layer)_\(length)"] {
                    print(String(format: "  %3d tokens: read/forward %.3f, stop/forward %.3f", length, r / f, s / f))
                }
                if let f = medians["forward_\(length)"], let g = medians["trace_grad_l1_\(length)"] {
                    print(String(format: "  %3d tokens: gradient to layer 1/forward %.3f", length, g / f))
                }
                if let f = medians["forward_\(length)"], let c = medians["trace_cache_all_\(length)"],
                   let a = medians["trace_save_all_\(length)"] {
                    print(String(format: "  %3d tokens: cache all layers/forward %.3f, save all layers + logits/forward %.3f", length, c / f, a / f))
                }
            }
            if let seq = medians["sequential_32x\(length)"], let con = medians["concurrent_32x\(length)"] {
                let after = model.pipeline.statistics
                let perComputation = Double(after.stageItems - before.stageItems)
                    / Double(max(1, after.stageComputations - before.stageComputations))
                print(String(format: "  32 traces: sequential/concurrent %.2fx (%.1f traces per stage computation)", seq / con, perComputation))
            }
        }
    }

    static func line(_ name: String, _ median: Double, _ min: Double) -> String {
        "\(name.padding(toLength: 22, withPad: " ", startingAt: 0)) median \(String(format: "%9.2f", median)) ms   min \(String(format: "%9.2f", min)) ms"
    }
}
