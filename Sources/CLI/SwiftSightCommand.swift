import ArgumentParser
import Foundation
import SwiftSight
import SwiftSightEmbeddedModel

@main
struct SwiftSightCommand: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "swiftsight",
            abstract: "Look inside transformer language models while they run.",
            version: "swiftsight \(SwiftSightVersion.string)\n\(BLASRuntime.current)",
            subcommands: [Run.self, Tokenize.self, Trace.self, Dump.self, LogitLensCommand.self, PatchCommand.self, SteerCommand.self, Info.self, Validate.self, Bench.self, BenchGEMM.self, Generate.self])
    }
}

extension WeightPrecision: ExpressibleByArgument {}

/// Options shared by every command that loads a model.
struct ModelOptions: ParsableArguments {
    @Option(name: .long, help: "A Hugging Face checkpoint folder (default: the embedded model).")
    var model: String?

    @Option(name: .long, help: "How matrix-product weights are stored: float32 (default) or bfloat16 (half the memory traffic, logits move; see Docs/Numerics.md).")
    var weightPrecision: WeightPrecision = .float32

    func validate() throws {
        if let model { try OptionCheck.path(model, "--model") }
    }

    func load(validate: Bool = true) async throws -> StandardizedTransformer {
        try await StandardizedTransformer(model.map { .directory(URL(fileURLWithPath: $0)) } ?? .embedded,
                                          validate: validate, weightPrecision: weightPrecision)
    }
}
