import ArgumentParser
import SwiftSight

struct Info: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show the OpenBLAS kernel in use and the model's sizes.")

    @OptionGroup var options: ModelOptions

    func run() async throws {
        print("swiftsight \(SwiftSightVersion.string)")
        print(BLASRuntime.current)
        let model = try await options.load()
        print("model: \(model.directory.path)")
        print("type \(model.info.modelType), \(model.numLayers) layers, \(model.numHeads) heads, hidden \(model.hiddenSize), "
              + "vocabulary \(model.vocabSize), up to \(model.info.maxPositions) positions")
    }
}
