import ArgumentParser
import Foundation
import SwiftSight

struct PatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "patch",
        abstract: "Activation patching: patch each layer's output at each position from a clean run into a corrupted one.",
        discussion: "The metric is logit(target) - logit(trap) at the last position, normalised so the corrupted run is 0 and the clean run 1.")

    @OptionGroup var options: ModelOptions
    @Option(help: "The clean prompt.") var clean: String
    @Option(help: "The corrupted prompt (same number of tokens).") var corrupted: String
    @Option(help: "The answer of the clean prompt (its first token is used).") var target: String
    @Option(help: "The answer of the corrupted prompt (its first token is used).") var trap: String
    @Option(help: "Patched runs per batched trace.") var batchSize: Int = 16
    @Option(help: "Also write an SVG heatmap (layers x positions).") var plot: String?

    func validate() throws {
        for (value, option) in [(clean, "--clean"), (corrupted, "--corrupted"), (target, "--target"), (trap, "--trap")] {
            try OptionCheck.text(value, option)
        }
        try OptionCheck.count(batchSize, "--batch-size")
        if let plot { try OptionCheck.path(plot, "--plot") }
    }

    func run() async throws {
        let model = try await options.load()
        guard let targetID = model.tokenize(target).first, let trapID = model.tokenize(trap).first else {
            throw ValidationError("--target and --trap need at least one token each")
        }
        let result = try await model.activationPatching(
            clean: clean, corrupted: corrupted, batchSize: batchSize,
            progress: { done, all in progressLine("patched \(done)/\(all)") },
            metric: StandardizedTransformer.logitDifference(target: targetID, trap: trapID))
        let columns = result.tokens.map { tokenLabel(model.tokenizer.decode([$0])) }
        let normalized = result.normalized
        let rows = try (0..<model.numLayers).map { layer in
            ["\(layer)"] + (try (0..<columns.count).map { String(format: "%.3f", try normalized[element: [layer, $0]]) })
        }
        print("Activation patching, metric logit(\(tokenLabel(model.tokenizer.decode([targetID])))) - "
            + "logit(\(tokenLabel(model.tokenizer.decode([trapID])))): clean \(String(format: "%.4f", result.clean)), "
            + "corrupted \(String(format: "%.4f", result.corrupted)); cells: (patched - corrupted) / (clean - corrupted)")
        print(Table(header: ["layer"] + columns, rows: rows).rendered)
        if let plot {
            let values = try (0..<model.numLayers).map { l in try (0..<columns.count).map { try normalized[element: [l, $0]] } }
            let finite = values.joined().filter(\.isFinite)
            let bound = max(1, finite.map(abs).max() ?? 1)
            let heatmap = SVGHeatmap(title: "Activation patching: \(clean) / \(corrupted)",
                                     rowLabels: (0..<model.numLayers).map { "layer \($0)" }, columnLabels: columns,
                                     values: values, cellLabels: values.map { $0.map { String(format: "%.2f", $0) } },
                                     range: -bound...bound, diverging: true)
            try heatmap.write(to: plot)
            progressLine("wrote \(plot)")
        }
    }
}
