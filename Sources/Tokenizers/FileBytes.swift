#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Reading tokenizer files, with errors that name the file.
enum FileBytes {
    /// The largest tokenizer file read (1 GiB; the largest published tokenizer.json files are
    /// tens of megabytes), so a sparse or runaway file cannot exhaust memory.
    static let maximumSize = 1 << 30

    /// The bytes of `file`, which must be a regular file (or a symbolic link to one).
    ///
    /// The file is opened without blocking and examined before anything is read: a FIFO would
    /// otherwise wait forever for a writer, and `/dev/zero` would fill memory; both, like a
    /// folder or `/dev/null`, are ``TokenizerError/notARegularFile(_:kind:)`` saying what they are.
    /// - Throws: ``TokenizerError/missingFile(_:)``, ``TokenizerError/notARegularFile(_:kind:)``
    ///   or ``TokenizerError/unreadableFile(_:reason:)`` with the system's reason.
    static func read(_ file: URL) throws(TokenizerError) -> [UInt8] {
        let fd = open(file.path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { throw TokenizerError.missingFile(file) }
            throw TokenizerError.unreadableFile(file, reason: systemMessage(code))
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw TokenizerError.unreadableFile(file, reason: systemMessage(errno)) }
        let kind = info.st_mode & S_IFMT
        guard kind == S_IFREG else { throw TokenizerError.notARegularFile(file, kind: describe(kind)) }
        guard info.st_size <= maximumSize else {
            throw TokenizerError.unreadableFile(file, reason: "it is \(info.st_size) bytes, more than the \(maximumSize) a tokenizer file may have")
        }
        var bytes = [UInt8](repeating: 0, count: max(Int(info.st_size), 0))
        var filled = 0
        while true {
            // A file that grows while it is read: more room, up to the limit.
            if filled == bytes.count {
                guard filled < maximumSize else {
                    throw TokenizerError.unreadableFile(file, reason: "it grew past the \(maximumSize) bytes a tokenizer file may have")
                }
                bytes.append(contentsOf: repeatElement(0, count: max(4096, bytes.count)))
            }
            let count = bytes.withUnsafeMutableBytes { buffer in
                readSome(fd, buffer.baseAddress.map { $0 + filled }, buffer.count - filled)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw TokenizerError.unreadableFile(file, reason: systemMessage(errno))
            }
            if count == 0 { break }
            filled += count
        }
        bytes.removeSubrange(filled...)
        return bytes
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

    /// The C library's text for an errno value, such as "Permission denied".
    static func systemMessage(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        return String(cString: text)
    }

    /// The 1-based line and column (counted in Unicode scalars) of byte `offset` in `bytes`.
    static func lineAndColumn(of offset: Int, in bytes: [UInt8]) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        for byte in bytes[..<min(max(offset, 0), bytes.count)] {
            if byte == 0x0A {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return (line, column)
    }
}

/// The C library's `read`, out of reach of `FileBytes.read`'s name.
private func readSome(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(fd, buffer, count)
}
