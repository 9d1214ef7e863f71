import ArgumentParser
import Foundation
import SwiftSight

struct LogitLensCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logit-lens",
        abstract: "Show what each layer predicts at each position (the logit lens).")

    @OptionGroup var options: ModelOptions
    @Option(help: "The prompt.") var prompt: String
    @Option(help: "Tokens shown per cell, most likely first.") var top: Int = 1
    @Option(help: "Also write an SVG heatmap (layers x positions, colour = top token's probability).") var plot: String?

    func validate() throws {
        try OptionCheck.text(prompt, "--prompt")
        try OptionCheck.count(top, "--top")
        if let plot { try OptionCheck.path(plot, "--plot") }
    }

    func run() async throws {
        let model = try await options.load()
        let ids = model.tokenize(prompt)
        guard !ids.isEmpty else { throw ValidationError("the prompt has no tokens") }
        progressLine("logit lens: \(model.numLayers) layers x \(ids.count) positions")
        let grid = try await model.logitLensGrid(prompt)                 // [layers, positions, vocab]
        let inputs = ids.map { tokenLabel(model.tokenizer.decode([$0])) }
        var cells: [[[TokenScore]]] = []
        for layer in 0..<model.numLayers {
            cells.append(try (0..<ids.count).map { model.topTokens(of: try grid[layer][$0], k: top) })
        }
        let rows = cells.enumerated().map { layer, row in
            ["\(layer)"] + row.map { $0.map { "\(tokenLabel($0.text)) \(String(format: "%.2f", $0.score))" }.joined(separator: ", ") }
        }
        print("Logit lens of \(prompt.debugDescription): the top prediction of each layer (rows) after each token (columns)")
        print(Table(header: ["layer"] + inputs, rows: rows).rendered)
        if let plot {
            let values = cells.map { $0.map { $0[0].score } }
            let range = SVGHeatmap.range(of: values, from: 0, atLeast: .leastNormalMagnitude)
            let heatmap = SVGHeatmap(title: "Logit lens: \(prompt) (colour: top token's probability, 0 to \(String(format: "%.2f", range.upperBound)))",
                                     rowLabels: (0..<model.numLayers).map { "layer \($0)" },
                                     columnLabels: inputs, values: values,
                                     cellLabels: cells.map { $0.map { tokenLabel($0[0].text) } }, range: range)
            try heatmap.write(to: plot)
            progressLine("wrote \(plot)")
        }
    }
}
