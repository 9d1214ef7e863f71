import SwiftSightCheckpoint
import Foundation
import SwiftSightModels

/// A `config.json` read as `ModelLoader` reads it, up to the architecture configuration its
/// `model_type` names through the registry; no weights are loaded. `FuzzCorpusTests` checks the
/// corpus holds an accepted seed for every registered type.
enum ConfigInput {
    static func read(_ input: UnsafeRawBufferPointer) throws(CheckpointError) -> String {
        let config = try JSONConfig(data: Data(input), url: URL(fileURLWithPath: "/fuzz/config.json"))
        let modelType = try config.string("model_type")
        guard let architecture = Registry.architecture(forModelType: modelType) else {
            throw config.unsupportedModelType(modelType, supported: ModelLoader.supportedModelTypes)
        }
        let configuration = try architecture.configuration(config)
        return "\(modelType): \(configuration.layers) layers of width \(configuration.hiddenSize)"
    }
}
