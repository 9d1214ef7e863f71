import Foundation
import Testing
import SwiftSightCheckpoint

/// Every way a safetensors header can be broken, each built byte by byte, must give its own
/// error naming the file and the tensor or field at fault, and never crash.
@Suite struct SafetensorsHeaderTests {
    let directory: TemporaryDirectory
    init() throws { directory = try TemporaryDirectory() }

    /// Writes `bytes` as `name` and returns the error opening it throws.
    private func openError(_ name: String, _ bytes: [UInt8]) throws -> CheckpointError? {
        let url = try directory.write(name, bytes)
        return caught { () throws(CheckpointError) in try SafetensorsFile(url: url) }
    }

    private func path(_ name: String) -> String { directory.file(name).path }

    @Test func emptyFile() throws {
        let error = try openError("empty.safetensors", [])
        #expect(error == .truncatedFile(path: path("empty.safetensors"), needed: 8, actual: 0))
        expectMessage(error, contains: ["empty.safetensors", "8", "0"])
    }

    @Test func truncatedHeaderLength() throws {
        let error = try openError("short.safetensors", [16, 0, 0, 0, 0])
        #expect(error == .truncatedFile(path: path("short.safetensors"), needed: 8, actual: 5))
        expectMessage(error, contains: ["short.safetensors", "truncated"])
    }

    @Test func headerLengthBeyondFile() throws {
        let error = try openError("cut.safetensors", safetensorsBytes(header: "{}", declaredLength: 100))
        #expect(error == .truncatedFile(path: path("cut.safetensors"), needed: 108, actual: 10))
        expectMessage(error, contains: ["cut.safetensors", "108", "10"])
    }

    @Test(arguments: [UInt64(100_000_001), UInt64(1) << 40, UInt64.max])
    func oversizedHeader(length: UInt64) throws {
        let error = try openError("huge.safetensors", safetensorsBytes(header: "{}", declaredLength: length))
        #expect(error == .headerTooLarge(path: path("huge.safetensors"), length: length, limit: 100_000_000))
        expectMessage(error, contains: ["huge.safetensors", String(length)])
    }

    @Test(arguments: ["not json", "", "{\"a\": ", "{\"a\":1} trailing"])
    func nonJSONHeader(header: String) throws {
        let error = try openError("text.safetensors", safetensorsBytes(header: header))
        guard case .malformedHeader(let file, let detail) = error else {
            Issue.record("expected malformedHeader, got \(String(describing: error))")
            return
        }
        #expect(file == path("text.safetensors"))
        #expect(detail.contains("not valid JSON"))
    }

    @Test func headerNotUTF8() throws {
        let bytes = withUnsafeBytes(of: UInt64(4).littleEndian) { Array($0) } + [0x7B, 0xFF, 0xFE, 0x7D]
        let error = try openError("binary.safetensors", bytes)
        guard case .malformedHeader = error else {
            Issue.record("expected malformedHeader, got \(String(describing: error))")
            return
        }
    }

    @Test func deeplyNestedHeaderIsRefusedWithoutCrashing() throws {
        let header = "{\"x\":" + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}"
        let error = try openError("deep.safetensors", safetensorsBytes(header: header))
        guard case .malformedHeader = error else {
            Issue.record("expected malformedHeader, got \(String(describing: error))")
            return
        }
    }

    @Test func headerNotAnObject() throws {
        let error = try openError("array.safetensors", safetensorsBytes(header: "[1, 2]"))
        #expect(error == .malformedHeader(path: path("array.safetensors"), detail: "the header must be a JSON object, but is an array"))
    }

    @Test(arguments: ["dtype", "shape", "data_offsets"])
    func entryMissingField(field: String) throws {
        var fields = ["\"dtype\":\"F32\"", "\"shape\":[1]", "\"data_offsets\":[0,4]"]
        fields.removeAll { $0.hasPrefix("\"\(field)\"") }
        let header = "{\"layer.weight\":{\(fields.joined(separator: ","))}}"
        let error = try openError("missing.safetensors", safetensorsBytes(header: header, data: floatBytes([1])))
        #expect(error == .malformedHeader(path: path("missing.safetensors"), detail: "tensor \"layer.weight\" has no \"\(field)\" field"))
        expectMessage(error, contains: ["missing.safetensors", "layer.weight", field])
    }

    @Test func entryNotAnObject() throws {
        let error = try openError("scalar.safetensors", safetensorsBytes(header: "{\"w\": 3}"))
        expectMessage(error, contains: ["scalar.safetensors", "\"w\"", "must be an object"])
    }

    @Test(arguments: ["[-1]", "[\"2\"]", "[1.5]", "[true]", "3", "null", "[99999999999999999999]"])
    func badShape(shape: String) throws {
        let header = "{\"w\":{\"dtype\":\"F32\",\"shape\":\(shape),\"data_offsets\":[0,4]}}"
        let error = try openError("shape.safetensors", safetensorsBytes(header: header, data: floatBytes([1])))
        guard case .malformedHeader(let file, let detail) = error else {
            Issue.record("expected malformedHeader, got \(String(describing: error))")
            return
        }
        #expect(file == path("shape.safetensors"))
        #expect(detail.contains("\"w\"") && detail.contains("\"shape\""))
    }

    @Test(arguments: ["[9223372036854775807,2]", "[4294967296,4294967296,0]", "[2305843009213693952]"])
    func shapeOverflowIsAnErrorNotATrap(shape: String) throws {
        let header = "{\"w\":{\"dtype\":\"F32\",\"shape\":\(shape),\"data_offsets\":[0,0]}}"
        let error = try openError("overflow.safetensors", safetensorsBytes(header: header))
        expectMessage(error, contains: ["overflow.safetensors", "\"w\"", "too many"])
    }

    @Test(arguments: ["[0]", "[0,4,8]", "[-4,0]", "[\"0\",\"4\"]", "\"0-4\""])
    func badOffsets(offsets: String) throws {
        let header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":\(offsets)}}"
        let error = try openError("offsets.safetensors", safetensorsBytes(header: header, data: floatBytes([1])))
        expectMessage(error, contains: ["offsets.safetensors", "\"w\"", "data_offsets"])
    }

    @Test func offsetsEndBeforeBegin() throws {
        let header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,4]}}"
        let error = try openError("reversed.safetensors", safetensorsBytes(header: header, data: floatBytes([1, 2])))
        expectMessage(error, contains: ["reversed.safetensors", "\"w\"", "[8, 4]"])
    }

    @Test func offsetsOutsideTheFile() throws {
        let header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}"
        let error = try openError("outside.safetensors", safetensorsBytes(header: header, data: floatBytes([1])))
        #expect(error == .tensorOutOfBounds(path: path("outside.safetensors"), tensor: "w", begin: 0, end: 8, dataSize: 4))
        expectMessage(error, contains: ["outside.safetensors", "\"w\"", "[0, 8]", "4 bytes"])
    }

    @Test func hugeOffsetsOutsideTheFile() throws {
        let begin = Int.max - 4
        let header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[\(begin),\(Int.max)]}}"
        let error = try openError("far.safetensors", safetensorsBytes(header: header, data: floatBytes([1])))
        #expect(error == .tensorOutOfBounds(path: path("far.safetensors"), tensor: "w", begin: begin, end: Int.max, dataSize: 4))
    }

    @Test func offsetsNotMatchingShape() throws {
        let header = "{\"w\":{\"dtype\":\"F16\",\"shape\":[2,3],\"data_offsets\":[0,8]}}"
        let error = try openError("size.safetensors", safetensorsBytes(header: header, data: [UInt8](repeating: 0, count: 12)))
        #expect(error == .tensorSizeMismatch(path: path("size.safetensors"), tensor: "w", dtype: "F16", shape: [2, 3],
                                             expectedBytes: 12, begin: 0, end: 8))
        expectMessage(error, contains: ["size.safetensors", "\"w\"", "12 bytes", "[0, 8]"])
    }

    @Test func overlappingTensors() throws {
        let header = """
            {"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},\
            "b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}
            """
        let error = try openError("overlap.safetensors", safetensorsBytes(header: header, data: floatBytes([1, 2, 3])))
        #expect(error == .overlappingTensors(path: path("overlap.safetensors"), first: "a", second: "b"))
        expectMessage(error, contains: ["overlap.safetensors", "\"a\"", "\"b\""])
    }

    @Test func emptyTensorBetweenDoesNotHideAnOverlap() throws {
        let header = """
            {"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},\
            "empty":{"dtype":"F32","shape":[0],"data_offsets":[4,4]},\
            "b":{"dtype":"F16","shape":[2],"data_offsets":[6,10]}}
            """
        let error = try openError("hidden.safetensors", safetensorsBytes(header: header, data: floatBytes([1, 2, 3])))
        #expect(error == .overlappingTensors(path: path("hidden.safetensors"), first: "a", second: "b"))
    }

    @Test func emptyTensorsOverlapNothing() throws {
        let header = """
            {"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},\
            "empty":{"dtype":"F32","shape":[0,5],"data_offsets":[4,4]}}
            """
        let url = try directory.write("empty-tensor.safetensors", safetensorsBytes(header: header, data: floatBytes([1, 2])))
        let file = try SafetensorsFile(url: url)
        #expect(try file.tensor("empty").shape == [0, 5])
        #expect(file.names == ["a", "empty"])
    }

    @Test(arguments: ["F8_E4M3", "U64", "f32", "C64", ""])
    func unknownDType(dtype: String) throws {
        let header = "{\"w\":{\"dtype\":\"\(dtype)\",\"shape\":[1],\"data_offsets\":[0,1]}}"
        let error = try openError("dtype.safetensors", safetensorsBytes(header: header, data: [0]))
        #expect(error == .unsupportedDType(path: path("dtype.safetensors"), tensor: "w", dtype: dtype))
        expectMessage(error, contains: ["dtype.safetensors", "\"w\"", "\"\(dtype)\""])
    }

    @Test func dtypeNotAString() throws {
        let header = "{\"w\":{\"dtype\":4,\"shape\":[1],\"data_offsets\":[0,4]}}"
        let error = try openError("dtype-number.safetensors", safetensorsBytes(header: header, data: floatBytes([1])))
        expectMessage(error, contains: ["dtype-number.safetensors", "\"w\"", "\"dtype\""])
    }

    @Test(arguments: ["{\"format\": 1}", "[\"pt\"]", "\"pt\""])
    func badMetadata(metadata: String) throws {
        let error = try openError("meta.safetensors", safetensorsBytes(header: "{\"__metadata__\":\(metadata)}"))
        expectMessage(error, contains: ["meta.safetensors", "__metadata__"])
    }

    @Test func validEdgeCases() throws {
        // A scalar, a gap before "b", trailing bytes, space padding and metadata: all accepted.
        let header = """
            {"__metadata__":{"format":"pt"},"s":{"dtype":"F32","shape":[],"data_offsets":[0,4]},\
            "b":{"dtype":"F32","shape":[1,1],"data_offsets":[8,12]}}\(String(repeating: " ", count: 7))
            """
        let url = try directory.write("edge.safetensors", safetensorsBytes(header: header, data: floatBytes([1.5, 0, -2, 9])))
        let file = try SafetensorsFile(url: url)
        #expect(file.names == ["s", "b"])
        #expect(file.metadata == ["format": "pt"])
        #expect(file.info("s")?.shape == [])
        #expect(try file.tensor("s").scalars == [1.5])
        #expect(try file.tensor("b").scalars == [-2])
    }

    @Test func headerOnlyFile() throws {
        let url = try directory.write("none.safetensors", safetensorsBytes(header: "{}"))
        let file = try SafetensorsFile(url: url)
        #expect(file.names.isEmpty)
        #expect(file.metadata.isEmpty)
    }

    @Test func missingFile() throws {
        let url = directory.file("absent.safetensors")
        let error = caught { () throws(CheckpointError) in try SafetensorsFile(url: url) }
        #expect(error == .fileNotFound(path: url.path))
        expectMessage(error, contains: ["absent.safetensors"])
    }

    @Test func directoryInsteadOfFile() throws {
        let url = directory.file("folder.safetensors")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)
        let error = caught { () throws(CheckpointError) in try SafetensorsFile(url: url) }
        #expect(error == .unreadable(path: url.path, reason: "it is a directory"))
    }

    @Test func fifoIsRefusedWithoutBlocking() throws {
        let url = directory.file("pipe.safetensors")
        #expect(mkfifo(url.path, 0o600) == 0)
        let error = caught { () throws(CheckpointError) in try SafetensorsFile(url: url) }
        #expect(error == .unreadable(path: url.path, reason: "it is not a regular file (a named pipe)"))
    }

    @Test(.enabled(if: getuid() != 0, "root reads files regardless of permissions"))
    func unreadableFile() throws {
        let url = try directory.write("locked.safetensors", safetensorsBytes(header: "{}"))
        try FileManager.default.setAttributes([.posixPermissions: 0], ofItemAtPath: url.path)
        let error = caught { () throws(CheckpointError) in try SafetensorsFile(url: url) }
        #expect(error == .unreadable(path: url.path, reason: "Permission denied"))
    }
}
