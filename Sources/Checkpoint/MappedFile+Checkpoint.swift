import Foundation
import SwiftSightLayers
import SwiftSightReading

/// Tensors borrow a checkpoint's mapping without copying (see
/// `TensorStorage(borrowing:count:owner:)`), so the mapping is their owner and releases their
/// pages when asked.
extension MappedFile: ResidentPagesReleasing {}

extension MappedFile {
    /// Maps the file at `path`, or throws `fileNotFound` / `unreadable` in the words the
    /// checkpoint errors have always used.
    static func checkpoint(path: String) throws(CheckpointError) -> MappedFile {
        do throws(MappedFileError) {
            return try MappedFile(path: path)
        } catch {
            switch error {
            case .missing: throw .fileNotFound(path: path)
            case .unreadable(let reason): throw .unreadable(path: path, reason: reason)
            case .notARegularFile(let kind):
                let what = kind == S_IFIFO ? "a named pipe" : kind == S_IFCHR ? "a character device" : "a special file"
                throw .unreadable(path: path, reason: kind == S_IFDIR ? "it is a directory" : "it is not a regular file (\(what))")
            }
        }
    }

    /// The largest JSON file read whole (config.json, a shard index): the safetensors header's
    /// own limit, so a sparse or hostile file cannot make the copy below exhaust memory.
    static let maximumJSONSize = 100_000_000

    /// The whole file copied into `Data`, for small files such as config.json and shard indexes.
    static func contents(of path: String) throws(CheckpointError) -> Data {
        let file = try checkpoint(path: path)
        guard file.bytes.count <= maximumJSONSize else {
            throw .unreadable(path: path, reason: "it is \(file.bytes.count) bytes, more than the \(maximumJSONSize) a JSON file here may have")
        }
        return withExtendedLifetime(file) { Data(file.bytes) }
    }
}
