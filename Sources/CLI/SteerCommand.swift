import ArgumentParser
import Foundation
import SwiftSight

struct SteerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "steer",
        abstract: "Steer a prompt with the mean residual difference of two prompts at a layer; show next-token predictions before and after.")

    @OptionGroup var options: ModelOptions
    @Option(help: "The prompt to steer.") var prompt: String
    @Option(help: "The layer whose output is steered.") var layer: Int
    @Option(help: "The prompt the vector points away from.") var from: String
    @Option(help: "The prompt the vector points towards.") var to: String
    @Option(help: "The vector's multiplier.") var factor: Float = 1
    @Option(help: "Predictions shown.") var top: Int = 10

    func validate() throws {
        for (value, option) in [(prompt, "--prompt"), (from, "--from"), (to, "--to")] { try OptionCheck.text(value, option) }
        try OptionCheck.finite(factor, "--factor")
        try OptionCheck.count(top, "--top")
    }

    func run() async throws {
        let model = try await options.load()
        guard (0..<model.numLayers).contains(layer) else {
            throw ValidationError("--layer \(layer) is out of range; the model has \(model.numLayers) layers (0...\(model.numLayers - 1))")
        }
        progressLine("steering vector: layer \(layer), \(to.debugDescription) - \(from.debugDescription)")
        let vector = try await model.steeringVector(from: from, to: to, layer: layer)
        let before = try await model.nextTokenProbs([prompt])
        let after = try await model.steer([prompt], layers: [layer], vector: vector, factor: factor)
        let (b, a) = (model.topTokens(of: try before[0], k: top), model.topTokens(of: try after[0], k: top))
        let norm = vector.scalars.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot()
        print("Prompt \(prompt.debugDescription), layer \(layer), factor \(factor), vector norm \(String(format: "%.3f", norm))")
        let rows = (0..<min(b.count, a.count)).map { i in
            [String(i + 1), tokenLabel(b[i].text), String(format: "%.4f", b[i].score), tokenLabel(a[i].text), String(format: "%.4f", a[i].score)]
        }
        print(Table(header: ["rank", "before", "p", "after", "p"], rows: rows).rendered)
    }
}
