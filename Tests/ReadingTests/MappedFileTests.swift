#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Testing
import SwiftSightReading

/// The one file reader: what it refuses before reading anything, and what it maps.
@Suite struct MappedFileTests {
    func failure(_ path: String) -> MappedFileError? {
        do throws(MappedFileError) {
            _ = try MappedFile(path: path)
            return nil
        } catch {
            return error
        }
    }

    @Test func refusesWhatIsNotARegularFileAtOnce() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mapped-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let fifo = folder.appendingPathComponent("pipe").path
        try #require(mkfifo(fifo, 0o600) == 0)
        let start = ContinuousClock.now
        guard case .notARegularFile(let kind) = failure(fifo) else { Issue.record("a FIFO was opened"); return }
        #expect(kind == S_IFIFO && ContinuousClock.now - start < .seconds(1))
        guard case .notARegularFile(let device) = failure("/dev/zero") else { Issue.record("/dev/zero was opened"); return }
        #expect(device == S_IFCHR)
        guard case .notARegularFile(let directory) = failure(folder.path) else { Issue.record("a folder was opened"); return }
        #expect(directory == S_IFDIR)
        guard case .missing = failure(folder.appendingPathComponent("absent").path) else { Issue.record("absent file"); return }
    }

    @Test func mapsTheBytes() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("mapped-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data([1, 2, 3]).write(to: file)
        #expect(try MappedFile(path: file.path).copyBytes() == [1, 2, 3])
        try Data().write(to: file)
        #expect(try MappedFile(path: file.path).bytes.isEmpty)
    }
}
