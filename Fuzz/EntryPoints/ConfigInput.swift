import SwiftSightCheckpoint
import Foundation
import SwiftSightModels

/// A `config.json` read as `ModelLoader` reads it, up to the architecture configuration its
/// `model_type` names; no weights are loaded.
enum ConfigInput {
    /// The `model_type`s dispatched below: the registry's, so a new architecture is not left
    /// unfuzzed (`FuzzCorpusTests` checks they are `ModelLoader.supportedModelTypes`).
    static let modelTypes = Registry.modelTypes

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

extension FuzzTarget {
    /// The `model_type`s the config target dispatches to a configuration.
    package static var configModelTypes: [String] { ConfigInput.modelTypes }
}
