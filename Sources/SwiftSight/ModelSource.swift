import SwiftSightCheckpoint
import Foundation

/// Where a model comes from.
///
/// The embedded demo model is `ModelSource.embedded`, declared by the `SwiftSightEmbeddedModel`
/// product (`import SwiftSightEmbeddedModel`): the library itself carries no model files.
public enum ModelSource: Sendable {
    /// A local Hugging Face checkpoint folder (`config.json`, safetensors, tokenizer files).
    case directory(URL)

    /// The folder holding the checkpoint.
    public func resolvedDirectory() throws(CheckpointError) -> URL {
        switch self {
        case .directory(let url):
            try CheckpointError.checkFolder(url)
            return url
        }
    }
}
