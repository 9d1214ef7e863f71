import SwiftSightCheckpoint
import Foundation
import SwiftSightLayers

/// Loads a Hugging Face checkpoint folder: `config.json`, safetensors weights, tokenizer.
package enum ModelLoader {
    /// The architectures this version runs, by `model_type` (``Registry``).
    package static var supportedModelTypes: [String] { Registry.modelTypes }

    /// The model in `directory`, its matrix-product weights packed in `weightPrecision`.
    package static func loadModel(directory: URL, weightPrecision: WeightPrecision = .float32) throws(CheckpointError) -> any TransformerModel {
        let configURL = directory.appendingPathComponent("config.json")
        let config = try JSONConfig(url: configURL)
        let modelType = try config.string("model_type")
        guard let architecture = Registry.architecture(forModelType: modelType) else {
            throw CheckpointError.unsupportedModelType(path: configURL.path, value: modelType, supported: supportedModelTypes)
        }
        // The config is read and checked before the weights are opened.
        return try architecture.load(config, weights: { () throws(CheckpointError) in try CheckpointWeights(directory: directory) },
                                     precision: weightPrecision)
    }
}
