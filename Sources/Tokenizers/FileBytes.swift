import Foundation

/// Reading tokenizer files, with errors that name the file.
enum FileBytes {
    /// The bytes of `file`.
    /// - Throws: ``TokenizerError/missingFile(_:)`` or ``TokenizerError/unreadableFile(_:reason:)``.
    static func read(_ file: URL) throws(TokenizerError) -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: file.path, isDirectory: &isDirectory) else {
            throw TokenizerError.missingFile(file)
        }
        guard !isDirectory.boolValue else { throw TokenizerError.unreadableFile(file, reason: "it is a folder") }
        do {
            let data = try Data(contentsOf: file)
            return [UInt8](data)
        } catch {
            throw TokenizerError.unreadableFile(file, reason: error.localizedDescription)
        }
    }

    /// The 1-based line and column (counted in Unicode scalars) of byte `offset` in `bytes`.
    static func lineAndColumn(of offset: Int, in bytes: [UInt8]) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        for byte in bytes[..<min(max(offset, 0), bytes.count)] {
            if byte == 0x0A {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return (line, column)
    }
}
