#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Writes safetensors files that the reference `safetensors` library reads.
///
/// Layout: 8-byte little-endian header length, the JSON header padded with spaces to a
/// multiple of 8 bytes (so every tensor starts 8-byte aligned and F32 data can be mapped
/// without copying), then each payload in the given order, contiguous.
public enum SafetensorsWriter {
    /// Writes `entries` (header keys in the given order) and `metadata` to `url`.
    ///
    /// The file is written beside `url` under a temporary name and renamed into place, so a
    /// reader that has the old file mapped keeps valid memory and never sees a partial file.
    /// It is not fsynced: the rename protects readers, not against power loss.
    public static func write(_ entries: [SafetensorsEntry], metadata: [String: String] = [:], to url: URL) throws(CheckpointError) {
        let path = url.path
        let header = try headerBytes(entries, metadata: metadata, path: path)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp").path
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw .writeFailed(path: path, reason: MappedFile.systemMessage(errno))
        }
        var isOpen = true
        do throws(CheckpointError) {
            try writeArray(fd, [UInt64(header.count).littleEndian], path: path)
            try writeArray(fd, header, path: path)
            for entry in entries {
                switch entry.payload {
                case .float32(let values):
                    #if _endian(little)
                    try writeArray(fd, values, path: path)
                    #else
                    try writeArray(fd, values.map(\.bitPattern.littleEndian), path: path)
                    #endif
                case .int64(let values):
                    #if _endian(little)
                    try writeArray(fd, values, path: path)
                    #else
                    try writeArray(fd, values.map(\.littleEndian), path: path)
                    #endif
                }
            }
            isOpen = false  // close releases the descriptor even when it reports an error
            guard close(fd) == 0 else { throw .writeFailed(path: path, reason: MappedFile.systemMessage(errno)) }
        } catch {
            if isOpen { close(fd) }
            unlink(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else {
            let reason = MappedFile.systemMessage(errno)
            unlink(temporary)
            throw .writeFailed(path: path, reason: reason)
        }
    }

    /// The JSON header, padded with spaces to a multiple of 8 bytes, after validating entries.
    static func headerBytes(_ entries: [SafetensorsEntry], metadata: [String: String], path: String) throws(CheckpointError) -> [UInt8] {
        var json = "{"
        var separator = ""
        if !metadata.isEmpty {
            // Sorted so the same input always yields the same bytes.
            let pairs = metadata.sorted { $0.key < $1.key }.map { "\(quoted($0.key)):\(quoted($0.value))" }
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
            json += "\(separator)\(quoted(entry.name)):{\"dtype\":\"\(entry.dtype.rawValue)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}"
            separator = ","
            offset = end
        }
        json += "}"
        var bytes = Array(json.utf8)
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - bytes.count % 8) % 8))
        return bytes
    }

    /// `text` as a JSON string literal.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// Writes the bytes of `values`, or throws with the system's reason.
    private static func writeArray<T>(_ fd: Int32, _ values: [T], path: String) throws(CheckpointError) {
        if let code = values.withUnsafeBytes({ writeAll(fd, $0) }) {
            throw .writeFailed(path: path, reason: MappedFile.systemMessage(code))
        }
    }

    /// Writes all of `bytes`, retrying short writes and interruptions; returns errno on failure.
    private static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32? {
        guard var next = bytes.baseAddress else { return nil }
        var remaining = bytes.count
        while remaining > 0 {
            let written = systemWrite(fd, next, remaining)
            if written < 0 {
                if errno == EINTR { continue }
                return errno
            }
            next += written
            remaining -= written
        }
        return nil
    }
}

/// The C library's `write`, named apart from ``SafetensorsWriter/write(_:metadata:to:)``,
/// which would otherwise shadow it inside the enum.
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, buffer, count)
}
