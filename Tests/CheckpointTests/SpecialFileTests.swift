#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Testing
import SwiftSightCheckpoint

/// A config.json or weights file that is a FIFO or a device is refused at once as "not a
/// regular file", without waiting for a writer or reading forever.
@Suite struct CheckpointSpecialFileTests {
    @Test func fifoConfigIsNotARegularFile() throws {
        let directory = try TemporaryDirectory()
        let fifo = directory.file("config.json")
        try #require(mkfifo(fifo.path, 0o600) == 0)
        let start = ContinuousClock.now
        let error = caught { () throws(CheckpointError) in try JSONConfig(url: fifo) }
        #expect(ContinuousClock.now - start < .seconds(1))
        #expect(error == .unreadable(path: fifo.path, reason: "it is not a regular file (a named pipe)"))
    }

    @Test(arguments: ["/dev/zero", "/dev/null"])
    func deviceIsNotARegularFile(path: String) {
        let error = caught { () throws(CheckpointError) in try JSONConfig(url: URL(fileURLWithPath: path)) }
        #expect(error == .unreadable(path: path, reason: "it is not a regular file (a character device)"))
        let weights = caught { () throws(CheckpointError) in try SafetensorsFile(url: URL(fileURLWithPath: path)) }
        expectMessage(weights, contains: [path, "not a regular file"])
    }
}
