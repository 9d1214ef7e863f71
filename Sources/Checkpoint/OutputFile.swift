#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import SwiftSightReading

/// Writes a file the way a user who names an output path expects, whatever the path is.
///
/// - A regular file, or nothing yet: the bytes go to a temporary file beside the *real* target
///   (symbolic links followed first, so a link is written through and stays a link) and are
///   renamed over it. A reader that has the old file mapped keeps valid memory and never sees a
///   partial file; a replaced file keeps its permission bits. Not fsynced: the rename protects
///   readers, not against power loss.
/// - A character device or a pipe (`/dev/null`, `/dev/stdout`, a FIFO): written straight
///   through, never renamed over, so `--out /dev/stdout` prints and `/dev/null` stays a device.
///   Opening a FIFO waits for a reader, as `cat > fifo` does.
/// - One of this process's own descriptors named as a path (`/dev/stdout`, `/dev/stderr`,
///   `/dev/fd/N`, `/proc/self/fd/N`): written into that descriptor as it is, never reopened or
///   renamed over, whatever it points at. So `--out /dev/stdout >> file` appends as the shell
///   promised, `> file` writes at the descriptor's offset, and a socket works too; reopening the
///   path would start at offset 0 and a rename would replace the file the shell opened.
/// - Anything else (a directory, a socket, a block device): ``CheckpointError/writeFailed(path:reason:)``
///   naming the path and what it is, before anything is written.
package enum OutputFile {
    /// Links followed before giving up, as the kernel's own limit (ELOOP after 40).
    static let maxLinks = 40

    /// Writes `bytes` to `path` (see the type's rules).
    package static func write(_ bytes: [UInt8], to path: String) throws(CheckpointError) {
        try write(to: path) { fd throws(CheckpointError) in try writeBytes(fd, bytes, path: path) }
    }

    /// Opens `path` by the type's rules and lets `body` write into the descriptor.
    /// Errors, including the ones `body` throws, leave a replaced target untouched.
    package static func write(to path: String, _ body: (Int32) throws(CheckpointError) -> Void) throws(CheckpointError) {
        guard !path.isEmpty else { throw .writeFailed(path: path, reason: "the path is empty") }
        var info = stat()
        if let descriptor = ownDescriptor(named: path) {
            guard fstat(descriptor, &info) == 0 else { throw .writeFailed(path: path, reason: systemMessage(errno)) }
            guard info.st_mode & S_IFMT != S_IFDIR else {
                throw .writeFailed(path: path, reason: "it is \(kind(info.st_mode)), not a file")
            }
            return try body(descriptor)
        }
        if stat(path, &info) == 0 {
            switch info.st_mode & S_IFMT {
            case S_IFREG: try replace(resolved(path), keeping: info.st_mode & 0o7777, reportedAs: path, body)
            case S_IFCHR, S_IFIFO: try writeThrough(path, body)
            default: throw .writeFailed(path: path, reason: "it is \(kind(info.st_mode)), not a file")
            }
        } else if errno == ENOENT {
            // Nothing there, or a dangling link: create the file (the link's target) by rename.
            try replace(resolved(path), keeping: nil, reportedAs: path, body)
        } else {
            throw .writeFailed(path: path, reason: systemMessage(errno))
        }
    }

    /// The descriptor number when `path` names one of this process's open descriptors.
    static func ownDescriptor(named path: String) -> Int32? {
        switch path {
        case "/dev/stdout": return 1
        case "/dev/stderr": return 2
        default:
            for prefix in ["/dev/fd/", "/proc/self/fd/"] where path.hasPrefix(prefix) {
                return Int32(path.dropFirst(prefix.count))
            }
            return nil
        }
    }

    /// `path` with symbolic links in its last component followed, so the temporary file is
    /// made beside the real target and the rename replaces the target, not the link.
    /// Links in the folders above need no resolving: a rename inside a folder works through them.
    static func resolved(_ path: String) throws(CheckpointError) -> String {
        var current = path
        for _ in 0..<maxLinks {
            var info = stat()
            guard lstat(current, &info) == 0, info.st_mode & S_IFMT == S_IFLNK else { return current }
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let count = readlink(current, &buffer, buffer.count - 1)
            guard count >= 0 else { throw .writeFailed(path: path, reason: systemMessage(errno)) }
            let target = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            current = target.hasPrefix("/") ? target : folder(of: current) + "/" + target
        }
        throw .writeFailed(path: path, reason: systemMessage(ELOOP))
    }

    /// Writes a temporary file beside `target` and renames it over `target`.
    private static func replace(_ target: String, keeping mode: mode_t?, reportedAs path: String,
                                _ body: (Int32) throws(CheckpointError) -> Void) throws(CheckpointError) {
        let name = target.split(separator: "/").last.map(String.init) ?? target
        let temporary = folder(of: target) + "/.\(name).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .writeFailed(path: path, reason: systemMessage(errno)) }
        var isOpen = true
        do throws(CheckpointError) {
            if let mode, fchmod(fd, mode) != 0 { throw .writeFailed(path: path, reason: systemMessage(errno)) }
            try body(fd)
            isOpen = false  // close releases the descriptor even when it reports an error
            guard close(fd) == 0 else { throw .writeFailed(path: path, reason: systemMessage(errno)) }
            guard rename(temporary, target) == 0 else { throw .writeFailed(path: path, reason: systemMessage(errno)) }
        } catch {
            if isOpen { close(fd) }
            unlink(temporary)
            throw error
        }
    }

    /// Writes into a device or pipe in place.
    private static func writeThrough(_ path: String, _ body: (Int32) throws(CheckpointError) -> Void) throws(CheckpointError) {
        let fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else { throw .writeFailed(path: path, reason: systemMessage(errno)) }
        var isOpen = true
        do throws(CheckpointError) {
            // The path may have been swapped for something else between stat and open.
            var info = stat()
            guard fstat(fd, &info) == 0 else { throw .writeFailed(path: path, reason: systemMessage(errno)) }
            let type = info.st_mode & S_IFMT
            guard type == S_IFCHR || type == S_IFIFO else {
                throw .writeFailed(path: path, reason: "it changed into \(kind(info.st_mode)) while being opened")
            }
            try body(fd)
            isOpen = false
            guard close(fd) == 0 else { throw .writeFailed(path: path, reason: systemMessage(errno)) }
        } catch {
            if isOpen { close(fd) }
            throw error
        }
    }

    /// Writes the bytes of `values`, or throws with the system's reason.
    package static func writeBytes<T>(_ fd: Int32, _ values: [T], path: String) throws(CheckpointError) {
        if let code = values.withUnsafeBytes({ writeAll(fd, $0) }) {
            throw .writeFailed(path: path, reason: systemMessage(code))
        }
    }

    /// Writes all of `bytes`, retrying short writes and interruptions; returns errno on failure.
    private static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32? {
        guard var next = bytes.baseAddress else { return nil }
        var remaining = bytes.count
        while remaining > 0 {
            let written = systemWrite(fd, next, remaining)
            if written < 0 {
                if errno == EINTR { continue }
                return errno
            }
            next += written
            remaining -= written
        }
        return nil
    }

    /// The folder part of `path` ("." for a bare name, "/" for a name at the root).
    static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// What a file of `mode` is, for messages.
    package static func kind(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFREG: "a regular file"
        case S_IFDIR: "a directory"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFIFO: "a pipe"
        case S_IFSOCK: "a socket"
        case S_IFLNK: "a symbolic link"
        default: "a special file"
        }
    }

    static func systemMessage(_ code: Int32) -> String { MappedFile.systemMessage(code) }
}

/// The C library's `write`, named apart from the writers' own `write` methods, which would
/// otherwise shadow it.
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, buffer, count)
}
