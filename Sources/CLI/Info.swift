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
        let info = model.info
        let kv = info.numKeyValueHeads == info.numHeads ? "" : " sharing \(info.numKeyValueHeads) key/value heads"
        print("type \(info.modelType), \(model.numLayers) layers, \(model.numHeads) heads of \(info.headDim)\(kv), hidden \(model.hiddenSize), "
              + "vocabulary \(model.vocabSize), up to \(info.maxPositions) positions")
        print("modules: layers \(info.naming.layer), attention \(info.naming.attention), MLP \(info.naming.mlp), "
              + "final norm \(info.naming.finalNorm), head \(info.naming.head)")
    }
}
