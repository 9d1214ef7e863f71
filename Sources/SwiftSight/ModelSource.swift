import Checkpoint
import Foundation

/// Where a model comes from.
public enum ModelSource: Sendable {
    /// The small GPT-2 that ships inside the package (see Docs/Models.md).
    case embedded
    /// A local Hugging Face checkpoint folder (`config.json`, safetensors, tokenizer files).
    case directory(URL)

    /// The folder holding the checkpoint.
    public func resolvedDirectory() throws(CheckpointError) -> URL {
        switch self {
        case .embedded:
            guard let url = Bundle.module.url(forResource: "EmbeddedModel", withExtension: nil) else {
                throw .directoryNotFound(path: "SwiftSight_SwiftSight.resources/EmbeddedModel (the package's resource bundle)")
            }
            return url
        case .directory(let url):
            try CheckpointError.checkFolder(url)
            return url
        }
    }
}
