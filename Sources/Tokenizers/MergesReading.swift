import Foundation
import SwiftSightReading

/// Reading merges written as `left right` lines.
enum MergesReading {
    /// `line` split at its one space, or `nil` when it does not have exactly one.
    static func pair(_ line: String) -> (String, String)? {
        let parts = line.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        return (String(parts[0]), String(parts[1]))
    }

    /// The merges of a `merges.txt` and the 1-based line number of each.
    static func read(_ file: URL) throws(TokenizerError) -> (merges: [(String, String)], lines: [Int]) {
        let bytes = try FileBytes.read(file)
        if let bad = UTF8Validation.firstInvalidOffset(in: bytes) {
            let (line, _) = TextPosition.lineAndColumn(of: bad, in: bytes)
            throw TokenizerError.unreadableFile(file, reason: "line \(line) is not valid UTF-8")
        }
        var merges: [(String, String)] = []
        var lines: [Int] = []
        var lineNumber = 0
        for rawLine in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
            lineNumber += 1
            var line = rawLine
            if line.last == 0x0D { line = line.dropLast() }
            if line.isEmpty || line.starts(with: Array("#version".utf8)) { continue }
            let text = String(decoding: line, as: UTF8.self)
            guard let pair = pair(text) else {
                throw TokenizerError.malformedMergesLine(file, line: lineNumber, content: text)
            }
            merges.append(pair)
            lines.append(lineNumber)
        }
        return (merges, lines)
    }
}
