import SwiftSightCheckpoint
import Foundation
import SwiftSightLayers

/// Loads a Hugging Face checkpoint folder: `config.json`, safetensors weights, tokenizer.
public enum ModelLoader {
    /// The architectures this version runs, by `model_type`.
    public static let supportedModelTypes = ["gpt2"] + LlamaConfiguration.modelTypes + ["gpt_neox"]

    /// The model in `directory`, its matrix-product weights packed in `weightPrecision`.
    public static func loadModel(directory: URL, weightPrecision: WeightPrecision = .float32) throws(CheckpointError) -> any TransformerModel {
        let configURL = directory.appendingPathComponent("config.json")
        let config = try JSONConfig(url: configURL)
        let modelType = try config.string("model_type")
        switch modelType {
        case "gpt2":
            let configuration = try GPT2Configuration(config)
            return try GPT2Model(configuration: configuration, weights: CheckpointWeights(directory: directory),
                                 weightPrecision: weightPrecision)
        case _ where LlamaConfiguration.modelTypes.contains(modelType):
            let configuration = try LlamaConfiguration(config)
            return try LlamaModel(configuration: configuration, weights: CheckpointWeights(directory: directory),
                                 weightPrecision: weightPrecision)
        case "gpt_neox":
            let configuration = try GPTNeoXConfiguration(config)
            return try GPTNeoXModel(configuration: configuration, weights: CheckpointWeights(directory: directory),
                                 weightPrecision: weightPrecision)
        default:
            throw CheckpointError.unsupportedModelType(path: configURL.path, value: modelType, supported: supportedModelTypes)
        }
    }
}
