import ArgumentParser
import Foundation
import SwiftSight

struct Validate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a checkpoint: hook points, gradients, generation, attention probabilities, tokenizer.",
        discussion: "Prints one line per check (pass, or FAIL and what failed) and exits non-zero if any check fails. "
            + "The checks need no reference outputs (Docs/Models.md, \"Status\").")

    @OptionGroup var options: ModelOptions

    @Flag(name: .long, help: "Print the row of Docs/Models.md's status table instead (Markdown).")
    var markdownRow = false

    func run() async throws {
        // Loaded without the load-time check, so a model that fails it gets its row too.
        let model = try await options.load(validate: false)
        let status = await model.status()
        if markdownRow {
            print("| `\(status.modelType)` | " + status.outcomes.map { $0.passed ? "pass" : "FAIL" }.joined(separator: " | ") + " |")
        } else {
            print("model: \(model.directory.path)")
            print("type \(status.modelType)")
            let width = ModelStatus.Check.allCases.map(\.rawValue.count).max() ?? 0
            for outcome in status.outcomes {
                let name = outcome.check.rawValue.padding(toLength: width, withPad: " ", startingAt: 0)
                print("\(name)  " + (outcome.failure.map { "FAIL  \($0)" } ?? "pass"))
            }
        }
        guard status.passed else {
            let failed = status.outcomes.filter { !$0.passed }.map(\.check.rawValue).joined(separator: ", ")
            throw ValidationFailed(message: "\(model.directory.path): \(failed) failed")
        }
    }
}

/// The checks that failed, for the exit status and standard error.
struct ValidationFailed: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
