import Foundation
import Synchronization
import Testing
import SwiftSightCheckpoint

/// Where the writer puts its bytes for every kind of output path a user might name.
@Suite struct OutputFileTests {
    let directory: TemporaryDirectory
    init() throws { directory = try TemporaryDirectory() }

    private let entries = [SafetensorsEntry(name: "w", shape: [3], payload: .float32([1, 2, 3]))]

    /// The bytes the writer produces for `entries`, written to a plain new file.
    private func expectedBytes() throws -> Data {
        let url = directory.file("plain-\(UUID().uuidString).safetensors")
        try SafetensorsWriter.write(entries, to: url)
        return try Data(contentsOf: url)
    }

    private func fileType(_ path: String, followingLinks: Bool = false) -> mode_t {
        var info = stat()
        let status = followingLinks ? stat(path, &info) : lstat(path, &info)
        return status == 0 ? info.st_mode & S_IFMT : 0
    }

    @Test func aSymlinkIsWrittenThroughAndStaysALink() throws {
        let target = try directory.write("real.safetensors", [1, 2, 3])
        let link = directory.file("link.safetensors")
        // A relative link to a relative link: both resolved beside their own folders.
        try FileManager.default.createDirectory(at: directory.file("sub"), withIntermediateDirectories: true)
        let inner = directory.file("sub/inner.safetensors")
        try FileManager.default.createSymbolicLink(atPath: inner.path, withDestinationPath: "../real.safetensors")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: "sub/inner.safetensors")
        try SafetensorsWriter.write(entries, to: link)
        #expect(fileType(link.path) == S_IFLNK && fileType(inner.path) == S_IFLNK)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link.path) == "sub/inner.safetensors")
        #expect(fileType(target.path) == S_IFREG)
        #expect(try Data(contentsOf: target) == expectedBytes())
        #expect(try SafetensorsFile(url: link).tensor("w").scalars == [1, 2, 3])
        // No temporary files left in either folder.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.file("sub").path) == ["inner.safetensors"])
    }

    @Test func aDanglingSymlinkCreatesItsTarget() throws {
        let link = directory.file("dangling.safetensors")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: "created.safetensors")
        try SafetensorsWriter.write(entries, to: link)
        #expect(fileType(link.path) == S_IFLNK)
        #expect(try Data(contentsOf: directory.file("created.safetensors")) == expectedBytes())
    }

    @Test func aLinkLoopIsAnErrorNamingThePath() throws {
        let a = directory.file("a"), b = directory.file("b")
        try FileManager.default.createSymbolicLink(atPath: a.path, withDestinationPath: "b")
        try FileManager.default.createSymbolicLink(atPath: b.path, withDestinationPath: "a")
        let error = caught { () throws(CheckpointError) in try SafetensorsWriter.write(entries, to: a) }
        guard case .writeFailed(let path, _) = error else {
            Issue.record("expected writeFailed, got \(String(describing: error))")
            return
        }
        #expect(path == a.path)
        #expect(fileType(a.path) == S_IFLNK && fileType(b.path) == S_IFLNK)
    }

    @Test func aReplacedFileKeepsItsPermissions() throws {
        let url = try directory.write("private.safetensors", [0])
        #expect(chmod(url.path, 0o600) == 0)
        try SafetensorsWriter.write(entries, to: url)
        var info = stat()
        #expect(stat(url.path, &info) == 0 && info.st_mode & 0o777 == 0o600)
    }

    /// /dev/null stays a character device (the rename used to replace it with a regular file
    /// when run as root).
    @Test func devNullStaysACharacterDevice() throws {
        try SafetensorsWriter.write(entries, to: URL(fileURLWithPath: "/dev/null"))
        #expect(fileType("/dev/null") == S_IFCHR)
        try OutputFile.write([1, 2, 3], to: "/dev/null")
        #expect(fileType("/dev/null") == S_IFCHR)
    }

    @Test func aFIFOIsWrittenToItsReader() throws {
        let fifo = directory.file("pipe")
        #expect(mkfifo(fifo.path, 0o600) == 0)
        let received = Mutex<Data?>(nil)
        let done = DispatchSemaphore(value: 0)
        let reader = Thread {
            let data = FileHandle(forReadingAtPath: fifo.path)?.readDataToEndOfFile()
            received.withLock { $0 = data }
            done.signal()
        }
        reader.start()
        try SafetensorsWriter.write(entries, to: fifo)
        #expect(done.wait(timeout: .now() + 10) == .success)
        #expect(try received.withLock { $0 } == expectedBytes())
        #expect(fileType(fifo.path) == S_IFIFO)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path).filter { $0.hasSuffix(".tmp") }.isEmpty)
    }

    /// `--out /dev/stdout >> file`: the descriptor the shell opened is written as it is, so an
    /// appending descriptor appends and nothing is renamed over the file.
    @Test func anOwnDescriptorIsWrittenInPlace() throws {
        for (prefix, flags) in [("/dev/fd/", O_WRONLY | O_APPEND), ("/proc/self/fd/", O_WRONLY)] {
            let file = try directory.write("shell-\(flags).safetensors", Array("old".utf8))
            let fd = open(file.path, flags)
            try #require(fd >= 0)
            defer { close(fd) }
            if flags & O_APPEND == 0 { lseek(fd, 0, SEEK_END) }
            try SafetensorsWriter.write(entries, to: URL(fileURLWithPath: prefix + String(fd)))
            #expect(try Data(contentsOf: file) == Data("old".utf8) + expectedBytes(), "\(prefix)")
        }
    }

    @Test func aDirectoryIsRefusedNamingIt() throws {
        let folder = directory.file("folder")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let error = caught { () throws(CheckpointError) in try SafetensorsWriter.write(entries, to: folder) }
        #expect(error == .writeFailed(path: folder.path, reason: "it is a directory, not a file"))
        #expect(error?.description == "Cannot write \(folder.path): it is a directory, not a file")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
        // A link to a directory is refused the same way.
        let link = directory.file("folder-link")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: "folder")
        #expect(caught { () throws(CheckpointError) in try SafetensorsWriter.write(entries, to: link) }
            == .writeFailed(path: link.path, reason: "it is a directory, not a file"))
    }

    @Test func anEmptyPathIsRefused() {
        #expect(caught { () throws(CheckpointError) in try OutputFile.write([1], to: "") }
            == .writeFailed(path: "", reason: "the path is empty"))
    }
}
