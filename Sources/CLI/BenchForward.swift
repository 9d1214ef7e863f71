import ArgumentParser
import Foundation
import SwiftSight

struct BenchForward: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-forward",
        abstract: "Time the forward pass for an 8-token and a 128-token prompt (median after warm-up).")

    @OptionGroup var options: ModelOptions
    @Option(help: "Timed runs per case.") var runs = 15
    @Option(help: "Untimed warm-up runs per case.") var warmup = 3
    @Flag(help: "Print one JSON object: {\"forward_8\": ms, \"forward_128\": ms}.") var json = false

    func run() async throws {
        let model = try await options.load()
        var results: [(String, Double, Double)] = []
        for length in [8, 128] where length <= model.info.maxPositions {
            let batch = TokenBatch([BenchText.tokens(length, model: model)])
            for _ in 0..<warmup { _ = try await model.forward(batch) }
            var times: [Double] = []
            for _ in 0..<runs {
                let start = ContinuousClock.now
                _ = try await model.forward(batch)
                times.append((ContinuousClock.now - start).milliseconds)
            }
            times.sort()
            results.append(("forward_\(length)", times[times.count / 2], times[0]))
        }
        if json {
            print("{" + results.map { "\"\($0.0)\": \(String(format: "%.3f", $0.1))" }.joined(separator: ", ") + "}")
        } else {
            print(BLASRuntime.current)
            for (name, median, min) in results {
                print("\(name.padding(toLength: 12, withPad: " ", startingAt: 0)) median \(String(format: "%8.2f", median)) ms   min \(String(format: "%8.2f", min)) ms")
            }
        }
    }
}

/// Fixed text for benchmarks, tokenized and repeated to the length asked for.
enum BenchText {
    static let text = """
        The transformer reads tokens, mixes them with attention, and writes logits for the next token. \
        Attention heads look back at earlier positions; the MLP stores facts; the residual stream carries it all. \
        My tailor is rich, and the quick brown fox jumps over the lazy dog while the model predicts every word.
        """

    /// `n` ids of the text, starting `offset` tokens in (so concurrent prompts differ).
    static func tokens(_ n: Int, model: StandardizedTransformer, offset: Int = 0) -> [Int] {
        let ids = model.tokenize(text)
        return (0..<n).map { ids[($0 + offset) % ids.count] }
    }
}

extension Duration {
    var milliseconds: Double { Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15 }
}
