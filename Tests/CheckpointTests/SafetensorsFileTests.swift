import Foundation
import Testing
import SwiftSightCheckpoint
@testable import SwiftSightLayers

/// Reading tensors from well-formed files: dtype conversion, zero-copy F32, integers.
@Suite struct SafetensorsFileTests {
    let directory: TemporaryDirectory
    init() throws { directory = try TemporaryDirectory() }

    /// A file with one tensor `t` of `dtype` and `shape` holding `data`, placed `offset` bytes
    /// into the data region (after a filler tensor) so alignment can be controlled.
    private func single(_ dtype: String, _ shape: [Int], _ data: [UInt8], offset: Int = 0) throws -> SafetensorsFile {
        var entries: [String] = []
        if offset > 0 {
            entries.append("\"pad\":{\"dtype\":\"U8\",\"shape\":[\(offset)],\"data_offsets\":[0,\(offset)]}")
        }
        let shapeText = shape.map(String.init).joined(separator: ",")
        entries.append("\"t\":{\"dtype\":\"\(dtype)\",\"shape\":[\(shapeText)],\"data_offsets\":[\(offset),\(offset + data.count)]}")
        // Pad the header to 8 bytes, as writers do, so `offset` alone decides alignment.
        var header = "{\(entries.joined(separator: ","))}"
        header += String(repeating: " ", count: (8 - header.utf8.count % 8) % 8)
        let bytes = safetensorsBytes(header: header, data: [UInt8](repeating: 7, count: offset) + data)
        return try SafetensorsFile(url: try directory.write("\(dtype)-\(offset).safetensors", bytes))
    }

    @Test func float16ThroughAFile() throws {
        let bits: [UInt16] = [0x3C00, 0xC100, 0x7BFF, 0x0001, 0x7C00, 0xFC00]
        for offset in [0, 1] {  // aligned and unaligned
            let file = try single("F16", [2, 3], littleEndianBytes(bits), offset: offset)
            let t = try file.tensor("t")
            #expect(t.shape == [2, 3])
            #expect(t.scalars == [1.0, -2.5, 65504, 0x1p-24, .infinity, -.infinity])
        }
        let nan = try single("F16", [1], littleEndianBytes([UInt16(0x7E00)]))
        #expect(try nan.tensor("t").scalars[0].isNaN)
    }

    @Test func bfloat16ThroughAFile() throws {
        let bits: [UInt16] = [0x3F80, 0xC020, 0x4780, 0x0001, 0x7F80, 0x7FC0]
        for offset in [0, 3] {
            let values = try single("BF16", [6], littleEndianBytes(bits), offset: offset).tensor("t").scalars
            #expect(Array(values.prefix(5)) == [1.0, -2.5, 65536, 0x1p-133, .infinity])
            #expect(values[5].isNaN)
        }
    }

    @Test func float64ThroughAFile() throws {
        let values: [Double] = [1.5, -2.25, 1e300, 0.1]
        let t = try single("F64", [4], littleEndianBytes(values.map(\.bitPattern)), offset: 1).tensor("t")
        #expect(t.scalars == [1.5, -2.25, .infinity, Float(0.1)])
    }

    @Test func unalignedFloat32IsCopiedCorrectly() throws {
        let file = try single("F32", [3], floatBytes([1, -2, 3.5]), offset: 2)
        let t = try file.tensor("t")
        #expect(t.scalars == [1, -2, 3.5])
        #expect(t.storage.isWritable)  // a private copy, not the mapping
    }

    @Test func alignedFloat32IsZeroCopyAndNeverWritesTheFile() throws {
        let original: [Float] = [1, 2, 3, 4, 5, 6]
        let file = try single("F32", [2, 3], floatBytes(original), offset: 8)
        let diskBefore = try Data(contentsOf: file.url)

        let first = try file.tensor("t")
        let second = try file.tensor("t")
        #expect(!first.storage.isWritable)
        // Both views are the mapped bytes themselves: same address, no allocation.
        let firstAddress = first.withUnsafeBuffer { $0.baseAddress }
        #expect(firstAddress == second.withUnsafeBuffer { $0.baseAddress })

        var edited = first
        edited.withUnsafeMutableBuffer { $0[0] = 99 }
        #expect(edited.scalars == [99, 2, 3, 4, 5, 6])
        #expect(edited.storage.isWritable)
        #expect(edited.withUnsafeBuffer { $0.baseAddress } != firstAddress)
        #expect(first.scalars == original)
        #expect(try file.tensor("t").scalars == original)
        #expect(try Data(contentsOf: file.url) == diskBefore)
    }

    @Test func tensorOutlivesTheFileObject() throws {
        var tensor: Tensor?
        do {
            let file = try single("F32", [2], floatBytes([4, 5]))
            tensor = try file.tensor("t")
        }
        // The mapping's owner is the storage, so the bytes are still mapped here.
        #expect(tensor?.scalars == [4, 5])
    }

    @Test func integerTensors() throws {
        #expect(try single("I64", [3], littleEndianBytes([Int64.min, -1, Int64.max]), offset: 1).int64s("t") == [.min, -1, .max])
        #expect(try single("I32", [2], littleEndianBytes([Int32.min, 7]), offset: 2).int64s("t") == [Int64(Int32.min), 7])
        #expect(try single("I16", [2], littleEndianBytes([Int16(-300), 300])).int64s("t") == [-300, 300])
        #expect(try single("I8", [2], [0xFF, 0x7F]).int64s("t") == [-1, 127])
        #expect(try single("U8", [2], [0xFF, 0]).int64s("t") == [255, 0])
        #expect(try single("BOOL", [3], [0, 1, 2]).int64s("t") == [0, 1, 1])
    }

    @Test func wrongDTypeRequests() throws {
        let ints = try single("I64", [1], littleEndianBytes([Int64(1)]))
        let error = caught { () throws(CheckpointError) in try ints.tensor("t") }
        guard case .wrongDType(let path, "t", "I64", _) = error else {
            Issue.record("expected wrongDType, got \(String(describing: error))")
            return
        }
        #expect(path == ints.url.path)
        expectMessage(error, contains: ["I64-0.safetensors", "\"t\""])

        let floats = try single("F16", [1], [0, 0x3C])
        expectMessage(caught { () throws(CheckpointError) in try floats.int64s("t") }, contains: ["F16-0.safetensors", "\"t\"", "F16"])
    }

    @Test func missingTensor() throws {
        let file = try single("F32", [1], floatBytes([1]))
        let error = caught { () throws(CheckpointError) in try file.tensor("nope") }
        #expect(error == .missingTensor(key: "nope", file: file.url.path, index: nil))
        expectMessage(error, contains: ["F32-0.safetensors", "\"nope\""])
        #expect(file.info("nope") == nil)
        #expect(!file.contains("nope"))
    }

    @Test func infoDescribesTensors() throws {
        let file = try single("BF16", [2, 2], [UInt8](repeating: 0, count: 8), offset: 1)
        #expect(file.info("t")?.dtype == .bfloat16)
        #expect(file.info("t")?.shape == [2, 2])
        #expect(file.info("t")?.elementCount == 4)
        #expect(file.info("t")?.byteCount == 8)
        #expect(file.names == ["pad", "t"])
    }

    @Test func concurrentReadsAgree() async throws {
        let values = (0..<1000).map { Float($0) }
        let file = try single("F16", [1000], littleEndianBytes(values.map { Float16Bits.of($0) }))
        let results = await withTaskGroup(of: [Float].self) { group in
            for _ in 0..<8 { group.addTask { (try? file.tensor("t").scalars) ?? [] } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 8)
        #expect(results.allSatisfy { $0 == values })
    }
}

/// Binary16 encodings of small integers, computed by hand so the test does not need `Float16`.
enum Float16Bits {
    /// The bits of `value`, which must be an integer in 0...2048 (all exact in binary16).
    static func of(_ value: Float) -> UInt16 {
        guard value != 0 else { return 0 }
        let exponent = Int(value.exponent)
        let mantissa = UInt16((value / Float(1 << exponent) - 1) * 1024)
        return UInt16(exponent + 15) << 10 | mantissa
    }
}
