#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Layers

/// A whole file mapped read-only into memory, unmapped when the last reference goes.
///
/// Tensors borrow the mapping without copying (see `TensorStorage(borrowing:count:owner:)`),
/// so this object is their owner and must outlive them; `TensorStorage` holds it for that.
/// Mapping instead of reading lets a multi-gigabyte checkpoint open instantly and share pages
/// with the OS cache. Caveat: if another process truncates the file while it is mapped, reads
/// of the lost pages raise SIGBUS; Hugging Face checkpoints are not rewritten in place, and
/// ``SafetensorsWriter`` replaces files by rename for exactly this reason.
final class MappedFile: @unchecked Sendable, ResidentPagesReleasing {
    // @unchecked: the mapping is PROT_READ and never changes after init, so sharing the
    // pointer across threads is safe.

    /// The file's bytes; empty (with a nil base address) for an empty file.
    let bytes: UnsafeRawBufferPointer
    /// The path the file was opened at, for error messages.
    let path: String

    /// Maps the file at `path`, or throws `fileNotFound` / `unreadable` with the system's reason.
    init(path: String) throws(CheckpointError) {
        self.path = path
        // O_NONBLOCK: opening a FIFO by mistake must fail below, not wait for a writer.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { throw .fileNotFound(path: path) }
            throw .unreadable(path: path, reason: MappedFile.systemMessage(code))
        }
        // The mapping keeps its own reference to the file; the descriptor is not needed after.
        defer { close(fd) }

        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw .unreadable(path: path, reason: MappedFile.systemMessage(errno))
        }
        let kind = info.st_mode & S_IFMT
        guard kind == S_IFREG else {
            throw .unreadable(path: path, reason: kind == S_IFDIR ? "it is a directory" : "it is not a regular file (\(kind == S_IFIFO ? "a named pipe" : kind == S_IFCHR ? "a character device" : "a special file"))")
        }
        guard let size = Int(exactly: info.st_size), size >= 0 else {
            throw .unreadable(path: path, reason: "its size \(info.st_size) cannot be addressed")
        }
        // mmap rejects a zero length, and an empty file has nothing to map anyway.
        guard size > 0 else {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0),
              base != UnsafeMutableRawPointer(bitPattern: -1)  // MAP_FAILED
        else {
            throw .unreadable(path: path, reason: "mmap failed: " + MappedFile.systemMessage(errno))
        }
        bytes = UnsafeRawBufferPointer(start: base, count: size)
    }

    deinit {
        if let base = bytes.baseAddress {
            munmap(UnsafeMutableRawPointer(mutating: base), bytes.count)
        }
    }

    /// Drops the whole pages inside `range` from this process's resident set (`MADV_DONTNEED`).
    /// The mapping is read-only and private, so the pages were never written: a later read
    /// faults them back in from the OS cache or the file, with the same bytes.
    func releaseResidentPages(_ range: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, let start = range.baseAddress else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        guard page > 0, start >= base, start + range.count <= base + bytes.count else { return }
        let first = (Int(bitPattern: start) + page - 1) / page * page
        let end = (Int(bitPattern: start) + range.count) / page * page
        guard end > first, let pointer = UnsafeMutableRawPointer(bitPattern: first) else { return }
        _ = madvise(pointer, end - first, Int32(MADV_DONTNEED))
    }

    /// The largest JSON file read whole (config.json, a shard index): the safetensors header's
    /// own limit, so a sparse or hostile file cannot make the copy below exhaust memory.
    static let maximumJSONSize = 100_000_000

    /// The whole file copied into `Data`, for small files such as config.json and shard indexes.
    static func contents(of path: String) throws(CheckpointError) -> Data {
        let file = try MappedFile(path: path)
        guard file.bytes.count <= maximumJSONSize else {
            throw .unreadable(path: path, reason: "it is \(file.bytes.count) bytes, more than the \(maximumJSONSize) a JSON file here may have")
        }
        return Data(file.bytes)
    }

    /// The C library's text for an errno value, such as "Permission denied".
    static func systemMessage(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        return String(cString: text)
    }
}
