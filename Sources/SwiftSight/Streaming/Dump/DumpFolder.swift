import SwiftSightCheckpoint
import Foundation

/// A dump's folder, created if needed and held exclusively for the whole dump.
///
/// Two dumps writing into one folder would overwrite each other's shards, and the manifest of
/// the one that finished last would describe files the other rewrote. So a dump takes an
/// exclusive `flock(2)` on `.swiftsight-dump.lock` in the folder before checking for a
/// manifest, and keeps it until it returns. `flock` rather than a marker created with
/// `O_EXCL`: the kernel releases the lock when its holder dies, so a dump killed with SIGKILL
/// leaves no stale lock behind that would need removing by hand. The lock file holds the
/// holder's process id, for the message a second dump gets.
final class DumpFolder {
    static let lockName = ".swiftsight-dump.lock"

    let path: String
    private let lockPath: String
    private var fd: Int32

    /// Creates `path` (and the folders above it) if needed and locks it.
    /// - Throws: ``ActivationDumpError/cannotCreateFolder(path:reason:)`` naming what is in the
    ///   way, ``ActivationDumpError/folderInUse(path:holder:)`` when another dump holds it.
    init(_ path: String) throws(ActivationDumpError) {
        try Self.create(path)
        self.path = path
        lockPath = path + "/" + Self.lockName
        fd = try Self.lock(lockPath, folder: path)
    }

    deinit { release() }

    /// Removes the lock file and unlocks. Removing before unlocking keeps the lock exclusive:
    /// a dump that opened the old file meanwhile sees it is no longer the one at the path.
    func release() {
        guard fd >= 0 else { return }
        unlink(lockPath)
        close(fd)
        fd = -1
    }

    /// Makes every missing folder of `path`, saying which component is in the way if one is
    /// not a folder (Foundation says only "error 512").
    private static func create(_ path: String) throws(ActivationDumpError) {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            var info = stat()
            if stat(prefix, &info) == 0 {
                guard info.st_mode & S_IFMT == S_IFDIR else {
                    throw .cannotCreateFolder(path: path, reason: "\(prefix) is \(OutputFile.kind(info.st_mode))")
                }
                continue
            }
            guard errno == ENOENT else {
                throw .cannotCreateFolder(path: path, reason: "\(prefix): \(String(cString: strerror(errno)))")
            }
            if mkdir(prefix, 0o777) != 0 {
                let code = errno
                // Another process may have made it in between: fine if it is a folder now.
                if code == EEXIST, stat(prefix, &info) == 0, info.st_mode & S_IFMT == S_IFDIR { continue }
                let reason = code == EEXIST ? "\(prefix) exists and is not a folder (a dangling link?)"
                    : "cannot make \(prefix): \(String(cString: strerror(code)))"
                throw .cannotCreateFolder(path: path, reason: reason)
            }
        }
    }

    /// Opens, locks and stamps the lock file; returns its descriptor.
    private static func lock(_ lockPath: String, folder: String) throws(ActivationDumpError) -> Int32 {
        while true {
            let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else {
                throw .cannotCreateFolder(path: folder, reason: "cannot create \(lockPath): \(String(cString: strerror(errno)))")
            }
            if flock(fd, LOCK_EX | LOCK_NB) != 0 {
                let code = errno
                let holder = code == EWOULDBLOCK ? holderID(fd) : nil
                close(fd)
                guard code == EWOULDBLOCK else {
                    throw .cannotCreateFolder(path: folder, reason: "cannot lock \(lockPath): \(String(cString: strerror(code)))")
                }
                throw .folderInUse(path: folder, holder: holder)
            }
            // The holder before us may have finished and removed the file after we opened it:
            // then the lock we hold is on a file no one else will see. Try again with a new one.
            var held = stat(), current = stat()
            guard fstat(fd, &held) == 0, stat(lockPath, &current) == 0,
                  held.st_dev == current.st_dev, held.st_ino == current.st_ino else {
                close(fd)
                continue
            }
            let stamp = Array("\(getpid())\n".utf8)
            _ = ftruncate(fd, 0)
            _ = stamp.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
            return fd
        }
    }

    /// The process id written in a lock file, if it reads as one.
    private static func holderID(_ fd: Int32) -> Int? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return Int(String(decoding: buffer[..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
