#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole regular file mapped read-only into memory, unmapped when the last reference goes:
/// the one file reader behind checkpoints (tensors borrow the mapping without copying) and
/// tokenizer files (copied out, they are small).
///
/// The file is opened without blocking and examined before anything is read: a FIFO would
/// otherwise wait forever for a writer and `/dev/zero` would fill memory, so anything but a
/// regular file is ``MappedFileError/notARegularFile(kind:)``. Mapping instead of reading lets
/// a multi-gigabyte checkpoint open instantly and share pages with the OS cache. Caveat: if
/// another process truncates the file while it is mapped, reads of the lost pages raise
/// SIGBUS; Hugging Face checkpoints are not rewritten in place, and SwiftSight's writers
/// replace files by rename for exactly this reason.
package final class MappedFile: @unchecked Sendable {
    // @unchecked: the mapping is PROT_READ and never changes after init, so sharing the
    // pointer across threads is safe.

    /// The file's bytes; empty (with a nil base address) for an empty file.
    package let bytes: UnsafeRawBufferPointer
    /// The path the file was opened at, for error messages.
    package let path: String

    /// Maps the file at `path`. Each caller turns the error into its own module's typed error,
    /// so that messages stay in that module's words.
    package init(path: String) throws(MappedFileError) {
        self.path = path
        // O_NONBLOCK: opening a FIFO by mistake must fail below, not wait for a writer.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { throw .missing }
            throw .unreadable(reason: Self.systemMessage(code))
        }
        // The mapping keeps its own reference to the file; the descriptor is not needed after.
        defer { close(fd) }

        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .unreadable(reason: Self.systemMessage(errno)) }
        let kind = info.st_mode & S_IFMT
        guard kind == S_IFREG else { throw .notARegularFile(kind: kind) }
        guard let size = Int(exactly: info.st_size), size >= 0 else {
            throw .unreadable(reason: "its size \(info.st_size) cannot be addressed")
        }
        // mmap rejects a zero length, and an empty file has nothing to map anyway.
        guard size > 0 else {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0),
              base != UnsafeMutableRawPointer(bitPattern: -1)  // MAP_FAILED
        else {
            throw .unreadable(reason: "mmap failed: " + Self.systemMessage(errno))
        }
        bytes = UnsafeRawBufferPointer(start: base, count: size)
    }

    /// The bytes, copied out. A method on the mapping rather than `Array(file.bytes)` at the
    /// caller, where the mapping could be released (and unmapped) before the copy is made.
    package func copyBytes() -> [UInt8] {
        Array(bytes)
    }

    deinit {
        if let base = bytes.baseAddress {
            munmap(UnsafeMutableRawPointer(mutating: base), bytes.count)
        }
    }

    /// Drops the whole pages inside `range` from this process's resident set (`MADV_DONTNEED`).
    /// The mapping is read-only and private, so the pages were never written: a later read
    /// faults them back in from the OS cache or the file, with the same bytes.
    package func releaseResidentPages(_ range: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, let start = range.baseAddress else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        guard page > 0, start >= base, start + range.count <= base + bytes.count else { return }
        let first = (Int(bitPattern: start) + page - 1) / page * page
        let end = (Int(bitPattern: start) + range.count) / page * page
        guard end > first, let pointer = UnsafeMutableRawPointer(bitPattern: first) else { return }
        _ = madvise(pointer, end - first, Int32(MADV_DONTNEED))
    }

    /// The C library's text for an errno value, such as "Permission denied".
    package static func systemMessage(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        return String(cString: text)
    }
}

/// Why a file could not be mapped, without the path: each module's own error names it.
package enum MappedFileError: Error, Sendable {
    /// No such file (or a path component is not a folder).
    case missing
    /// Not a regular file; `kind` is its `st_mode & S_IFMT`.
    case notARegularFile(kind: mode_t)
    /// The system's reason, such as "Permission denied".
    case unreadable(reason: String)
}
