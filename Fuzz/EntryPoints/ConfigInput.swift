import SwiftSightCheckpoint
import Foundation
import SwiftSightModels

/// A `config.json` read as `ModelLoader` reads it, up to the architecture configuration its
/// `model_type` names; no weights are loaded.
enum ConfigInput {
    /// The `model_type`s dispatched below; `FuzzCorpusTests` checks they are
    /// `ModelLoader.supportedModelTypes`, so a new architecture is not left unfuzzed.
    static let modelTypes = ["gpt2", "gpt_neox"] + LlamaConfiguration.modelTypes

    static func read(_ input: UnsafeRawBufferPointer) throws(CheckpointError) -> String {
        let config = try JSONConfig(data: Data(input), url: URL(fileURLWithPath: "/fuzz/config.json"))
        let modelType = try config.string("model_type")
        switch modelType {
        case "gpt2":
            let configuration = try GPT2Configuration(config)
            return "gpt2: \(configuration.layers) layers of width \(configuration.hiddenSize)"
        case "gpt_neox":
            let configuration = try GPTNeoXConfiguration(config)
            return "gpt_neox: \(configuration.layers) layers of width \(configuration.hiddenSize)"
        case _ where LlamaConfiguration.modelTypes.contains(modelType):
            let configuration = try LlamaConfiguration(config)
            return "\(modelType): \(configuration.layers) layers of width \(configuration.hiddenSize)"
        default:
            throw config.unsupportedModelType(modelType, supported: ModelLoader.supportedModelTypes)
        }
    }
}

extension FuzzTarget {
    /// The `model_type`s the config target dispatches to a configuration.
    package static var configModelTypes: [String] { ConfigInput.modelTypes }
}
