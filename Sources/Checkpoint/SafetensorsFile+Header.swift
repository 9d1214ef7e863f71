import Foundation
import SwiftSightReading

/// Where one tensor lives: its description and its byte range within the data region.
struct TensorEntry: Sendable {
    let name: String
    let info: TensorInfo
    /// Start of the tensor's bytes, relative to the start of the data region.
    let begin: Int
    /// End (exclusive), relative to the start of the data region.
    let end: Int
}

/// The validated header of a safetensors file.
///
/// Layout: an 8-byte little-endian length N, then N bytes of JSON (padded with spaces), then
/// the data region. Everything here is checked before any tensor is touched, so later reads
/// can index the mapping without bounds failures.
struct SafetensorsHeader: Sendable {
    /// The safetensors library refuses headers above 100 MB; so do we, so a corrupt length
    /// cannot make us allocate gigabytes.
    static let maximumLength = 100_000_000

    /// Tensors by name.
    let entries: [String: TensorEntry]
    /// Tensor names in file order (by data offset, then name).
    let order: [String]
    /// The optional `__metadata__` string map.
    let metadata: [String: String]
    /// Byte offset of the data region within the file.
    let dataStart: Int

    /// Validates the header at the start of `bytes`, the whole file at `path`.
    init(parsing bytes: UnsafeRawBufferPointer, path: String) throws(CheckpointError) {
        guard bytes.count >= 8 else {
            throw .truncatedFile(path: path, needed: 8, actual: bytes.count)
        }
        let length = UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self))
        guard length <= UInt64(Self.maximumLength) else {
            throw .headerTooLarge(path: path, length: length, limit: Self.maximumLength)
        }
        let dataStart = 8 + Int(length)  // cannot overflow: length <= 100 MB
        guard dataStart <= bytes.count else {
            throw .truncatedFile(path: path, needed: dataStart, actual: bytes.count)
        }
        let json = Data(UnsafeRawBufferPointer(rebasing: bytes[8..<dataStart]))
        let root: JSONValue
        switch JSONValue.parseObjects(json) {
        case .success(let value): root = value
        case .failure(let error): throw .malformedHeader(path: path, detail: "the header is not valid JSON (\(error.detail))")
        }
        guard let members = root.dictionary else {
            throw .malformedHeader(path: path, detail: "the header must be a JSON object, but is \(root.kindDescription)")
        }

        let dataSize = bytes.count - dataStart
        var entries: [String: TensorEntry] = [:]
        var metadata: [String: String] = [:]
        // Sorted so that, with several faults, the one reported does not depend on hashing.
        for (name, value) in members.sorted(by: { $0.key < $1.key }) {
            if name == "__metadata__" {
                metadata = try Self.metadata(value, path: path)
            } else {
                entries[name] = try Self.entry(name, value, dataSize: dataSize, path: path)
            }
        }
        let ordered = entries.values.sorted { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        try Self.checkOverlaps(ordered, path: path)

        self.entries = entries
        self.order = ordered.map(\.name)
        self.metadata = metadata
        self.dataStart = dataStart
    }

    private static func metadata(_ value: JSONValue, path: String) throws(CheckpointError) -> [String: String] {
        guard let members = value.dictionary else {
            throw .malformedHeader(path: path, detail: "\"__metadata__\" must be an object of strings, but is \(value.kindDescription)")
        }
        var result: [String: String] = [:]
        for (key, item) in members {
            guard case .string(let text) = item else {
                throw .malformedHeader(
                    path: path,
                    detail: "\"__metadata__\" must map strings to strings, but \"\(key)\" is \(item.shortText)")
            }
            result[key] = text
        }
        return result
    }

    private static func entry(_ name: String, _ value: JSONValue, dataSize: Int, path: String) throws(CheckpointError) -> TensorEntry {
        guard let fields = value.dictionary else {
            throw .malformedHeader(path: path, detail: "entry \"\(name)\" must be an object, but is \(value.shortText)")
        }
        func field(_ key: String) throws(CheckpointError) -> JSONValue {
            guard let found = fields[key] else {
                throw .malformedHeader(path: path, detail: "tensor \"\(name)\" has no \"\(key)\" field")
            }
            return found
        }

        let dtypeValue = try field("dtype")
        guard case .string(let dtypeName) = dtypeValue else {
            throw .malformedHeader(path: path, detail: "tensor \"\(name)\": \"dtype\" must be a string, but is \(dtypeValue.shortText)")
        }
        guard let dtype = DType(rawValue: dtypeName) else {
            throw .unsupportedDType(path: path, tensor: name, dtype: dtypeName)
        }

        let shapeValue = try field("shape")
        guard case .array(let extents) = shapeValue,
              case let shape = extents.compactMap(\.nonNegativeInt), shape.count == extents.count
        else {
            throw .malformedHeader(
                path: path,
                detail: "tensor \"\(name)\": \"shape\" must be an array of non-negative integers, but is \(shapeValue.shortText)")
        }
        // Left to right, as Tensor computes it, so no partial product can trap there either.
        var count = 1
        for extent in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: extent)
            guard !overflow else {
                throw .malformedHeader(path: path, detail: "tensor \"\(name)\": shape \(shape) has too many elements")
            }
            count = product
        }
        let (byteCount, overflow) = count.multipliedReportingOverflow(by: dtype.byteSize)
        guard !overflow else {
            throw .malformedHeader(path: path, detail: "tensor \"\(name)\": shape \(shape) has too many bytes")
        }

        let offsetsValue = try field("data_offsets")
        guard case .array(let offsets) = offsetsValue, offsets.count == 2,
              let begin = offsets[0].nonNegativeInt, let end = offsets[1].nonNegativeInt
        else {
            throw .malformedHeader(
                path: path,
                detail: "tensor \"\(name)\": \"data_offsets\" must be two non-negative integers [begin, end], but is \(offsetsValue.shortText)")
        }
        guard begin <= end else {
            throw .malformedHeader(path: path, detail: "tensor \"\(name)\": data_offsets [\(begin), \(end)] end before they begin")
        }
        guard end - begin == byteCount else {
            throw .tensorSizeMismatch(path: path, tensor: name, dtype: dtype.rawValue, shape: shape,
                                      expectedBytes: byteCount, begin: begin, end: end)
        }
        guard end <= dataSize else {
            throw .tensorOutOfBounds(path: path, tensor: name, begin: begin, end: end, dataSize: dataSize)
        }
        return TensorEntry(name: name, info: TensorInfo(dtype: dtype, shape: shape, elementCount: count), begin: begin, end: end)
    }

    /// Throws if any two non-empty tensors share a byte. `ordered` is sorted by `begin`.
    private static func checkOverlaps(_ ordered: [TensorEntry], path: String) throws(CheckpointError) {
        // Comparing neighbours suffices: if a tensor begins inside an earlier one, every
        // tensor in between begins inside it too, so the first overlap is between neighbours.
        // Empty tensors own no bytes and are skipped, so they can sit anywhere.
        var previous: TensorEntry?
        for entry in ordered where entry.end > entry.begin {
            if let previous, entry.begin < previous.end {
                throw .overlappingTensors(path: path, first: previous.name, second: entry.name)
            }
            previous = entry
        }
    }
}
