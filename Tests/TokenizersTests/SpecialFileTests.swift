#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Testing

@testable import SwiftSightTokenizers

/// A tokenizer path that is not a regular file is refused for what it is, at once: a FIFO used
/// to be reported as "You don't have permission" (or to wait for a writer), `/dev/zero` to be
/// read until memory ran out.
@Suite struct SpecialFileTests {
    /// The error reading `file` as a tokenizer.json throws, and that it came at once.
    func error(_ file: URL) -> TokenizerError? {
        let start = ContinuousClock.now
        defer { #expect(ContinuousClock.now - start < .seconds(1)) }
        do {
            _ = try BPETokenizer(tokenizerJSON: file)
            return nil
        } catch {
            return error
        }
    }

    @Test func fifoIsNotARegularFile() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let fifo = folder.url.appendingPathComponent("tokenizer.json")
        try #require(mkfifo(fifo.path, 0o600) == 0)
        #expect(error(fifo) == .notARegularFile(fifo, kind: "a named pipe (FIFO)"))
        #expect(error(fifo)?.description.contains("not a regular file") == true)
        // Found by the loader too, which must not block on it.
        #expect(throws: TokenizerError.notARegularFile(fifo, kind: "a named pipe (FIFO)")) {
            try TokenizerLoader.load(directory: folder.url)
        }
    }

    @Test(arguments: ["/dev/zero", "/dev/null"])
    func characterDeviceIsNotARegularFile(path: String) {
        let device = URL(fileURLWithPath: path)
        #expect(error(device) == .notARegularFile(device, kind: "a character device"))
    }

    @Test func folderIsNotARegularFile() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let merges = folder.url.appendingPathComponent("merges.txt")
        try FileManager.default.createDirectory(at: merges, withIntermediateDirectories: false)
        let vocab = try folder.write("vocab.json", #"{"a": 0}"#)
        #expect(throws: TokenizerError.notARegularFile(merges, kind: "a folder")) {
            try BPETokenizer(vocabJSON: vocab, mergesTXT: merges)
        }
    }

    /// A symbolic link to a regular file is read through, as before.
    @Test func symlinkToAFileIsRead() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let real = try folder.write("real.json", MiniTokenizer.json())
        let link = folder.url.appendingPathComponent("tokenizer.json")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: real)
        #expect(try BPETokenizer(tokenizerJSON: link).encode("the").isEmpty == false)
    }
}
