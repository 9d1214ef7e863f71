import Foundation

/// Where a byte offset falls in a text file, as people count: the one place that turns an
/// offset into the "line 3, column 14" of an error message.
package enum TextPosition {
    /// The 1-based line and column (counted in Unicode scalars) of byte `offset` in `bytes`,
    /// for error messages about any text file (JSON, merges.txt).
    package static func lineAndColumn(of offset: Int, in bytes: some ContiguousBytes) -> (line: Int, column: Int) {
        bytes.withUnsafeBytes { raw in
            var (line, column) = (1, 1)
            for byte in raw[..<min(max(offset, 0), raw.count)] {
                if byte == 0x0A {
                    (line, column) = (line + 1, 1)
                } else if byte & 0xC0 != 0x80 {
                    column += 1
                }
            }
            return (line, column)
        }
    }
}
