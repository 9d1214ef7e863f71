import Foundation
import SwiftSightReading

extension CheckpointError {
    /// Throws unless `url` is a folder: ``directoryNotFound(path:)`` or
    /// ``notADirectory(path:)``. Shared by the weights reader and `ModelSource`, so that a model
    /// folder given by a user is judged in one place.
    package static func checkFolder(_ url: URL) throws(CheckpointError) {
        switch FolderCheck(url) {
        case .folder: return
        case .missing: throw .directoryNotFound(path: url.path)
        case .notAFolder: throw .notADirectory(path: url.path)
        }
    }
}
