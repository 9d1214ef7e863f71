import Foundation
import SwiftSightLayers
import SwiftSightReading

/// One safetensors file, memory-mapped and validated on open.
///
/// Opening maps the file read-only and checks the whole header (see ``init(url:)``); reading
/// a tensor then cannot fail on bounds. An aligned F32 tensor is returned without copying:
/// its ``Tensor`` borrows the mapping, which stays alive as long as any such tensor does.
/// The file is never written: a tensor that is modified copies its elements first.
package final class SafetensorsFile: Sendable {
    /// Where the file was opened.
    package let url: URL
    /// Tensor names in file order (by data offset).
    package let names: [String]
    /// The header's `__metadata__` map (empty when absent).
    package let metadata: [String: String]

    let mapping: MappedFile
    let entries: [String: TensorEntry]
    let dataStart: Int

    /// Maps and validates the file at `url`.
    ///
    /// Checks that the file holds the 8-byte header length and the header it announces
    /// (at most 100 MB), that the header is a JSON object whose every entry has a recognised
    /// `dtype`, a `shape` of non-negative integers and `data_offsets` matching shape × dtype
    /// size inside the data region, and that no two tensors overlap. Unlike the reference
    /// implementation, gaps between tensors and trailing bytes are tolerated: they are
    /// harmless to a reader.
    package init(url: URL) throws(CheckpointError) {
        let mapping = try MappedFile.checkpoint(path: url.path)
        let header = try SafetensorsHeader(parsing: mapping.bytes, path: url.path)
        self.url = url
        self.mapping = mapping
        self.entries = header.entries
        self.names = header.order
        self.metadata = header.metadata
        self.dataStart = header.dataStart
    }

    /// Whether the file holds a tensor called `name`.
    package func contains(_ name: String) -> Bool { entries[name] != nil }

    /// The dtype and shape of tensor `name`, or nil if the file has no such tensor.
    package func info(_ name: String) -> TensorInfo? { entries[name]?.info }

    /// Tensor `name` as Float32, converting F16, BF16 and F64 (exactly, except F64 rounding).
    ///
    /// A 4-byte-aligned F32 tensor shares the mapped memory (read-only, copy on write);
    /// anything else is copied. Integer tensors are refused: read them with ``int64s(_:)``.
    package func tensor(_ name: String) throws(CheckpointError) -> Tensor {
        let (entry, source) = try locate(name)
        let info = entry.info
        switch info.dtype {
        case .float32:
            #if _endian(little)
            if Int(bitPattern: source) % MemoryLayout<Float>.alignment == 0 {
                let floats = source.bindMemory(to: Float.self, capacity: info.elementCount)
                let storage = TensorStorage(borrowing: floats, count: info.elementCount, owner: mapping)
                return Tensor(uncheckedShape: info.shape, storage: storage)
            }
            #endif
            return convert(info) { Float(bitPattern: UInt32(littleEndian: source.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        case .float16:
            return convert(info) { HalfPrecision.float(fromHalfBits: UInt16(littleEndian: source.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self))) }
        case .bfloat16:
            return convert(info) { HalfPrecision.float(fromBFloat16Bits: UInt16(littleEndian: source.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self))) }
        case .float64:
            return convert(info) { Float(Double(bitPattern: UInt64(littleEndian: source.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self)))) }
        case .int64, .int32, .int16, .int8, .uint8, .bool:
            throw .wrongDType(path: url.path, tensor: name, dtype: info.dtype.rawValue, expected: "a floating-point tensor (F32, F16, BF16 or F64)")
        }
    }

    /// The elements of integer or boolean tensor `name` (I64, I32, I16, I8, U8, BOOL), widened
    /// to Int64 in row-major order. Floating-point tensors are refused: read them with ``tensor(_:)``.
    package func int64s(_ name: String) throws(CheckpointError) -> [Int64] {
        let (entry, source) = try locate(name)
        let n = entry.info.elementCount
        func load<T: FixedWidthInteger>(_ type: T.Type) -> [Int64] {
            (0..<n).map { Int64(T(littleEndian: source.loadUnaligned(fromByteOffset: $0 * MemoryLayout<T>.size, as: T.self))) }
        }
        switch entry.info.dtype {
        case .int64: return load(Int64.self)
        case .int32: return load(Int32.self)
        case .int16: return load(Int16.self)
        case .int8: return load(Int8.self)
        case .uint8: return load(UInt8.self)
        case .bool: return (0..<n).map { source.load(fromByteOffset: $0, as: UInt8.self) == 0 ? 0 : 1 }
        case .float32, .float16, .bfloat16, .float64:
            throw .wrongDType(path: url.path, tensor: name, dtype: entry.info.dtype.rawValue, expected: "an integer tensor (I64, I32, I16, I8, U8 or BOOL)")
        }
    }

    /// The entry for `name` and the address of its first byte in the mapping.
    private func locate(_ name: String) throws(CheckpointError) -> (TensorEntry, UnsafeRawPointer) {
        guard let entry = entries[name] else {
            throw .missingTensor(key: name, file: url.path, index: nil)
        }
        // A validated header implies a file of at least 8 bytes, hence a non-nil base.
        guard let base = mapping.bytes.baseAddress else {
            throw .truncatedFile(path: url.path, needed: 8, actual: 0)
        }
        return (entry, base + dataStart + entry.begin)
    }

    /// A new tensor of `info.shape` whose element `i` is `element(i)`.
    private func convert(_ info: TensorInfo, _ element: (Int) -> Float) -> Tensor {
        Tensor(uncheckedShape: info.shape) { out in
            for i in 0..<out.count { out[i] = element(i) }
        }
    }
}
