#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import SwiftSightReading

/// Reading tokenizer files, with errors that name the file.
enum FileBytes {
    /// The largest tokenizer file read (1 GiB; the largest published tokenizer.json files are
    /// tens of megabytes), so a sparse or runaway file cannot exhaust memory.
    static let maximumSize = 1 << 30

    /// The bytes of `file`, which must be a regular file (or a symbolic link to one).
    ///
    /// Read through the shared ``MappedFile``, which examines the file before anything is read:
    /// a FIFO would otherwise wait forever for a writer, and `/dev/zero` would fill memory; both,
    /// like a folder or `/dev/null`, are ``TokenizerError/notARegularFile(_:kind:)`` saying what
    /// they are.
    /// - Throws: ``TokenizerError/missingFile(_:)``, ``TokenizerError/notARegularFile(_:kind:)``
    ///   or ``TokenizerError/unreadableFile(_:reason:)`` with the system's reason.
    static func read(_ file: URL) throws(TokenizerError) -> [UInt8] {
        let mapped: MappedFile
        do throws(MappedFileError) {
            mapped = try MappedFile(path: file.path)
        } catch {
            switch error {
            case .missing: throw TokenizerError.missingFile(file)
            case .notARegularFile(let kind): throw TokenizerError.notARegularFile(file, kind: describe(kind))
            case .unreadable(let reason): throw TokenizerError.unreadableFile(file, reason: reason)
            }
        }
        guard mapped.bytes.count <= maximumSize else {
            throw TokenizerError.unreadableFile(file, reason: "it is \(mapped.bytes.count) bytes, more than the \(maximumSize) a tokenizer file may have")
        }
        return mapped.copyBytes()
    }

    /// What a file of type `kind` (`st_mode & S_IFMT`) is, in words.
    static func describe(_ kind: mode_t) -> String {
        switch kind {
        case S_IFDIR: "a folder"
        case S_IFIFO: "a named pipe (FIFO)"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFSOCK: "a socket"
        default: "a special file"
        }
    }
}
