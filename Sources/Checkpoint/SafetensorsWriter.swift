import Foundation
import SwiftSightReading

/// Writes safetensors files that the reference `safetensors` library reads.
///
/// Layout: 8-byte little-endian header length, the JSON header padded with spaces to a
/// multiple of 8 bytes (so every tensor starts 8-byte aligned and F32 data can be mapped
/// without copying), then each payload in the given order, contiguous.
package enum SafetensorsWriter {
    /// Writes `entries` (header keys in the given order) and `metadata` to `url`.
    ///
    /// The path follows ``OutputFile``'s rules: a regular file (or a new one) is written beside
    /// its real target (symbolic links followed) and renamed into place, so a reader that has the
    /// old file mapped keeps valid memory and never sees a partial file; a character device or a
    /// pipe (`/dev/null`, `/dev/stdout`, a FIFO) is written straight through; a directory or other
    /// kind of file is refused naming the path. Not fsynced: the rename protects readers, not
    /// against power loss.
    package static func write(_ entries: [SafetensorsEntry], metadata: [String: String] = [:], to url: URL) throws(CheckpointError) {
        let path = url.path
        let header = try headerBytes(entries, metadata: metadata, path: path)
        try OutputFile.write(to: path) { fd throws(CheckpointError) in
            try OutputFile.writeBytes(fd, [UInt64(header.count).littleEndian], path: path)
            try OutputFile.writeBytes(fd, header, path: path)
            for entry in entries {
                switch entry.payload {
                case .float32(let values):
                    #if _endian(little)
                    try OutputFile.writeBytes(fd, values, path: path)
                    #else
                    try OutputFile.writeBytes(fd, values.map(\.bitPattern.littleEndian), path: path)
                    #endif
                case .int64(let values):
                    #if _endian(little)
                    try OutputFile.writeBytes(fd, values, path: path)
                    #else
                    try OutputFile.writeBytes(fd, values.map(\.littleEndian), path: path)
                    #endif
                }
            }
        }
    }

    /// The JSON header, padded with spaces to a multiple of 8 bytes, after validating entries.
    static func headerBytes(_ entries: [SafetensorsEntry], metadata: [String: String], path: String) throws(CheckpointError) -> [UInt8] {
        var json = "{"
        var separator = ""
        if !metadata.isEmpty {
            // Sorted so the same input always yields the same bytes.
            let pairs = metadata.sorted { $0.key < $1.key }.map { "\(JSONValue.quoted($0.key, limit: .max)):\(JSONValue.quoted($0.value, limit: .max))" }
            json += "\"__metadata__\":{\(pairs.joined(separator: ","))}"
            separator = ","
        }
        var seen: Set<String> = []
        var offset = 0
        for entry in entries {
            guard !entry.name.isEmpty, entry.name != "__metadata__" else {
                throw .invalidEntry(path: path, name: entry.name, reason: "has a reserved or empty name")
            }
            guard seen.insert(entry.name).inserted else {
                throw .invalidEntry(path: path, name: entry.name, reason: "appears more than once")
            }
            var count = 1
            for extent in entry.shape {
                let (product, overflow) = count.multipliedReportingOverflow(by: extent)
                guard extent >= 0, !overflow else {
                    throw .invalidEntry(path: path, name: entry.name, reason: "has an invalid shape \(entry.shape)")
                }
                count = product
            }
            guard count == entry.elementCount else {
                throw .invalidEntry(path: path, name: entry.name,
                                    reason: "has shape \(entry.shape) (\(count) elements) but \(entry.elementCount) values")
            }
            // In memory already, so this cannot overflow.
            let end = offset + count * entry.dtype.byteSize
            let shape = entry.shape.map(String.init).joined(separator: ",")
            json += "\(separator)\(JSONValue.quoted(entry.name, limit: .max)):{\"dtype\":\"\(entry.dtype.rawValue)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}"
            separator = ","
            offset = end
        }
        json += "}"
        var bytes = Array(json.utf8)
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - bytes.count % 8) % 8))
        return bytes
    }
}
