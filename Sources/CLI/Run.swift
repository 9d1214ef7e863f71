import ArgumentParser
import Foundation
import SwiftSight

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a prompt's tokens and the model's top-10 next-token predictions.")

    @OptionGroup var options: ModelOptions
    @Argument(help: "The prompt.") var prompt: String

    func validate() throws { try OptionCheck.text(prompt, "the prompt") }

    func run() async throws {
        let model = try await options.load()
        let ids = model.tokenize(prompt)
        print("Model: \(model.info.modelType), \(model.numLayers) layers, \(model.hiddenSize) wide, vocabulary \(model.vocabSize)")
        print("Prompt: \(prompt.debugDescription)")
        print("Tokens (\(ids.count)): " + ids.map { "\($0) \(model.tokenizer.decode([$0]).debugDescription)" }.joined(separator: " | "))
        print("")
        let predictions = try await model.predictions(for: prompt, top: 10)
        let rows = predictions.enumerated().map { i, p in
            [String(i + 1), String(p.id), p.text.debugDescription, String(format: "%.4f", p.probability)]
        }
        print(Table(header: ["rank", "id", "token", "probability"], rows: rows).rendered)
    }
}

/// A plain-text table with aligned columns.
struct Table {
    let header: [String]
    let rows: [[String]]

    var rendered: String {
        let widths = header.indices.map { c in ([header] + rows).map { $0[c].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            let padded = zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
            return String(padded.reversed().drop { $0 == " " }.reversed())
        }
        return ([line(header), line(widths.map { String(repeating: "-", count: $0) })] + rows.map(line))
            .joined(separator: "\n")
    }
}
