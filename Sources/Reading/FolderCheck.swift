import Foundation

/// What is at a path that should be a folder (a checkpoint, a tokenizer's files): the one
/// "folder exists" check, each caller turning the answer into its own module's typed error.
package enum FolderCheck: Sendable, Equatable {
    case folder
    case missing
    /// Something is there, but not a folder (a file, a device).
    case notAFolder

    /// Looks at `url`, following symbolic links.
    package init(_ url: URL) {
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) {
            self = .missing
        } else {
            self = isDirectory.boolValue ? .folder : .notAFolder
        }
    }
}
