import SwiftSightCheckpoint
import SwiftSightHooks
import SwiftSightLayers

/// Every architecture SwiftSight runs: one line per `model_type`, in the order error messages
/// list them. Adding an architecture is its file in Sources/Models/Architectures plus its
/// line here (Docs/Architecture.md, "How to add an architecture").
package enum Registry {
    package static let architectures: KeyValuePairs<String, any Architecture.Type> = [
        "gpt2": GPT2Model.self,
        "llama": LlamaModel.self,
        "mistral": LlamaModel.self,
        "qwen2": LlamaModel.self,
        "qwen3": Qwen3Model.self,
        "gpt_neox": GPTNeoXModel.self,
        "phi3": Phi3Model.self,
        "granite": GraniteModel.self,
        "gemma": GemmaModel.self,
        "gemma2": GemmaModel.self,
        "gemma3_text": Gemma3TextModel.self,
        "olmo": OlmoModel.self,
        "olmo2": Olmo2Model.self,
        "mixtral": MixtralModel.self,
        "qwen3_moe": Qwen3MoeModel.self,
        "gptj": GPTJModel.self,
        "phi": PhiModel.self,
        "stablelm": StableLmModel.self,
        "opt": OPTModel.self,
        "starcoder2": Starcoder2Model.self,
        "gpt_neo": GPTNeoModel.self,
    ]

    /// The `model_type`s above, in order.
    package static var modelTypes: [String] { architectures.map(\.key) }

    /// The architecture of a config's `model_type`, nil for one SwiftSight does not run.
    package static func architecture(forModelType modelType: String) -> (any Architecture.Type)? {
        architectures.first { $0.key == modelType }?.value
    }

    /// The module-path table of a config's `model_type`, nil for one SwiftSight does not run.
    package static func naming(forModelType modelType: String) -> ModuleNaming? {
        architecture(forModelType: modelType)?.naming
    }
}

/// One architecture, declared in one file: how its `config.json` is read, where its hook
/// points live in the transformers module tree (which also roots its checkpoint names), and how
/// its model is assembled from the reusable pieces (Sources/Models/Pieces).
package protocol Architecture: SendableMetatype {
    associatedtype Configuration: ArchitectureConfiguration
    /// nnsight's module paths of the standardized points.
    static var naming: ModuleNaming { get }
    /// Checks the configuration against the checkpoint's tensors (``ConfigAgreement``), then
    /// loads every tensor by name, its shape checked, its matrices packed in `precision`.
    static func model(_ configuration: Configuration, weights: CheckpointWeights,
                      precision: WeightPrecision) throws(CheckpointError) -> DecoderModel
}

/// The fields of a `config.json` that shape an architecture's computation.
package protocol ArchitectureConfiguration: Sendable {
    /// Reads and checks the config; errors name the file and the key. Allocates nothing from
    /// the config's sizes: the model checks them against the tensors first.
    init(_ config: JSONConfig) throws(CheckpointError)
    /// Number of blocks.
    var layers: Int { get }
    /// Width of the residual stream.
    var hiddenSize: Int { get }
}

extension Architecture {
    /// The configuration `config` describes.
    package static func configuration(_ config: JSONConfig) throws(CheckpointError) -> any ArchitectureConfiguration {
        try Configuration(config)
    }

    /// Reads `config`, then builds the model from `weights`.
    static func load(_ config: JSONConfig, weights: () throws(CheckpointError) -> CheckpointWeights,
                     precision: WeightPrecision) throws(CheckpointError) -> DecoderModel {
        let configuration = try Configuration(config)
        return try model(configuration, weights: try weights(), precision: precision)
    }
}
