import Foundation
import Testing
import SwiftSightCheckpoint

/// A fresh directory under the system temp directory, removed when the value is released.
/// Each test makes its own, so tests can run in parallel.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("CheckpointTests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// The URL of `name` inside the directory.
    func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    /// Writes `bytes` to `name` and returns its URL.
    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) throws -> URL {
        let target = file(name)
        try Data(bytes).write(to: target)
        return target
    }

    /// Writes `text` (UTF-8) to `name` and returns its URL.
    @discardableResult
    func write(_ name: String, text: String) throws -> URL {
        try write(name, Array(text.utf8))
    }
}

/// The bytes of a safetensors file: the length of `header` (or `declaredLength` when given,
/// to lie about it), the header, then `data`.
func safetensorsBytes(header: String, data: [UInt8] = [], declaredLength: UInt64? = nil) -> [UInt8] {
    let json = Array(header.utf8)
    let length = declaredLength ?? UInt64(json.count)
    return withUnsafeBytes(of: length.littleEndian) { Array($0) } + json + data
}

/// The little-endian bytes of each value.
func littleEndianBytes<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
    values.flatMap { value in withUnsafeBytes(of: value.littleEndian) { Array($0) } }
}

/// The little-endian bytes of Float32 values.
func floatBytes(_ values: [Float]) -> [UInt8] { littleEndianBytes(values.map(\.bitPattern)) }

/// The error `body` throws, or nil if it succeeds.
func caught<T>(_ body: () throws(CheckpointError) -> T) -> CheckpointError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}

/// Expects `error` to exist and its message to contain each of `fragments`.
func expectMessage(_ error: CheckpointError?, contains fragments: [String], sourceLocation: SourceLocation = #_sourceLocation) {
    guard let error else {
        Issue.record("expected an error mentioning \(fragments), but none was thrown", sourceLocation: sourceLocation)
        return
    }
    for fragment in fragments {
        #expect(error.description.contains(fragment), "\"\(error)\" should mention \"\(fragment)\"", sourceLocation: sourceLocation)
    }
}

/// The repository's Tests/Fixtures directory, found from this source file's location.
let fixturesDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()  // CheckpointTests
    .deletingLastPathComponent()  // Tests
    .appendingPathComponent("Fixtures", isDirectory: true)
