import Foundation
import Testing
import SwiftSightCheckpoint
import SwiftSightLayers

/// The writer's files read back identically and follow the format's layout rules.
@Suite struct SafetensorsWriterTests {
    let directory: TemporaryDirectory
    init() throws { directory = try TemporaryDirectory() }

    private let entries: [SafetensorsEntry] = [
        SafetensorsEntry(name: "z.weight", shape: [2, 3], payload: .float32([1, -2, 3.25, 0, .infinity, -0.5])),
        SafetensorsEntry(name: "ids", shape: [1, 4], payload: .int64([427, -1, .max, .min])),
        SafetensorsEntry(name: "scalar", shape: [], payload: .float32([7])),
        SafetensorsEntry(name: "empty", shape: [0, 5], payload: .float32([])),
        SafetensorsEntry(name: "a.bias", tensor: Tensor(uncheckedShape: [3], values: [0.5, 0.25, 0.125])),
    ]

    @Test func roundTrip() throws {
        let url = directory.file("round.safetensors")
        try SafetensorsWriter.write(entries, metadata: ["format": "pt", "note": "quote \" and \\ and é"], to: url)
        let file = try SafetensorsFile(url: url)
        #expect(file.names == ["z.weight", "ids", "scalar", "empty", "a.bias"])
        #expect(file.metadata == ["format": "pt", "note": "quote \" and \\ and é"])
        #expect(try file.tensor("z.weight").scalars == [1, -2, 3.25, 0, .infinity, -0.5])
        #expect(try file.tensor("z.weight").shape == [2, 3])
        #expect(try file.int64s("ids") == [427, -1, .max, .min])
        #expect(file.info("ids")?.dtype == .int64 && file.info("ids")?.shape == [1, 4])
        #expect(try file.tensor("scalar").scalars == [7])
        #expect(try file.tensor("empty").shape == [0, 5])
        #expect(try file.tensor("a.bias").scalars == [0.5, 0.25, 0.125])
    }

    @Test func layoutFollowsTheFormat() throws {
        let url = directory.file("layout.safetensors")
        try SafetensorsWriter.write(entries, to: url)
        let bytes = [UInt8](try Data(contentsOf: url))
        let length = bytes.prefix(8).reversed().reduce(0) { $0 << 8 | Int($1) }
        #expect(length % 8 == 0)
        let header = String(decoding: bytes[8..<(8 + length)], as: UTF8.self)
        #expect(header.hasPrefix("{\"z.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}"))
        #expect(!header.contains("__metadata__"))
        // Padding is spaces after the closing brace.
        let closing = header.lastIndex(of: "}") ?? header.endIndex
        #expect(header[header.index(after: closing)...].allSatisfy { $0 == " " })
        // Keys in the given order.
        let positions = ["z.weight", "ids", "scalar", "empty", "a.bias"].map { header.range(of: "\"\($0)\"")?.lowerBound }
        #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted() && !positions.contains(nil))
        // Data contiguous: 24 + 32 + 4 + 0 + 12 bytes right after the header.
        #expect(bytes.count == 8 + length + 72)
    }

    @Test func awkwardNamesRoundTrip() throws {
        let names = ["quote\"d", "back\\slash", "new\nline", "tab\t", "control\u{1}", "ünïcödé 🙂", "slash/and.dots"]
        let url = directory.file("names.safetensors")
        try SafetensorsWriter.write(names.map { SafetensorsEntry(name: $0, shape: [1], payload: .float32([1])) }, to: url)
        #expect(try SafetensorsFile(url: url).names == names)
    }

    @Test func rewritingAMappedFileLeavesOldTensorsIntact() throws {
        let url = directory.file("rewrite.safetensors")
        try SafetensorsWriter.write([SafetensorsEntry(name: "w", shape: [2], payload: .float32([1, 2]))], to: url)
        let old = try SafetensorsFile(url: url).tensor("w")
        try SafetensorsWriter.write([SafetensorsEntry(name: "w", shape: [3], payload: .float32([9, 9, 9]))], to: url)
        #expect(old.scalars == [1, 2])
        #expect(try SafetensorsFile(url: url).tensor("w").scalars == [9, 9, 9])
        // No temporary files left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path) == ["rewrite.safetensors"])
    }

    @Test(arguments: [
        (SafetensorsEntry(name: "w", shape: [2, 2], payload: .float32([1, 2, 3])), "4 elements"),
        (SafetensorsEntry(name: "w", shape: [-1], payload: .float32([])), "invalid shape"),
        (SafetensorsEntry(name: "w", shape: [Int.max, 2], payload: .int64([])), "invalid shape"),
        (SafetensorsEntry(name: "__metadata__", shape: [0], payload: .float32([])), "reserved"),
        (SafetensorsEntry(name: "", shape: [0], payload: .float32([])), "reserved or empty"),
    ])
    func invalidEntries(entry: SafetensorsEntry, reason: String) throws {
        let url = directory.file("bad.safetensors")
        let error = caught { () throws(CheckpointError) in try SafetensorsWriter.write([entry], to: url) }
        guard case .invalidEntry(let path, let name, _) = error else {
            Issue.record("expected invalidEntry, got \(String(describing: error))")
            return
        }
        #expect(path == url.path && name == entry.name)
        expectMessage(error, contains: ["bad.safetensors", reason])
        #expect(!FileManager.default.fileExists(atPath: url.path))
    }

    @Test func duplicateNames() throws {
        let entry = SafetensorsEntry(name: "w", shape: [1], payload: .float32([1]))
        let url = directory.file("dup.safetensors")
        let error = caught { () throws(CheckpointError) in try SafetensorsWriter.write([entry, entry], to: url) }
        expectMessage(error, contains: ["dup.safetensors", "\"w\"", "more than once"])
    }

    @Test func unwritableLocation() throws {
        let url = directory.file("no-such-folder/out.safetensors")
        let error = caught { () throws(CheckpointError) in try SafetensorsWriter.write([], to: url) }
        #expect(error == .writeFailed(path: url.path, reason: "No such file or directory"))
    }

    @Test func emptyFileIsValid() throws {
        let url = directory.file("nothing.safetensors")
        try SafetensorsWriter.write([], to: url)
        #expect(try SafetensorsFile(url: url).names.isEmpty)
        #expect(try Data(contentsOf: url).count == 16)  // length + "{}" padded to 8
    }
}
