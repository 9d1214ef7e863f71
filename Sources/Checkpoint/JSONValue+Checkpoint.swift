import Foundation
import SwiftSightReading

/// How the checkpoint readers use the shared JSON reader: objects as dictionaries (the last of
/// duplicate keys wins, as in Python's `json`), and values described in error messages.
extension JSONValue {
    /// Parses `data`, or says where it is not valid JSON, by line and column. Keys that differ
    /// only in Unicode normalization are refused, since ``dictionary`` would merge them.
    static func parseObjects(_ data: Data) -> Result<JSONValue, JSONSyntaxError> {
        parse(data, refusingCanonicallyEquivalentKeys: true).mapError { error in
            let (line, column) = TextPosition.lineAndColumn(of: error.offset, in: data)
            return JSONSyntaxError(detail: "\(error.reason) at line \(line), column \(column)")
        }
    }

    /// The members of an object by key, the last of duplicate keys winning; nil for any other
    /// value. Read with ``parseObjects(_:)``, no two distinct keys are merged.
    var dictionary: [String: JSONValue]? {
        guard case .object(let members) = self else { return nil }
        return Dictionary(members.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
    }

    /// A non-negative integer that fits in `Int`, or nil.
    var nonNegativeInt: Int? {
        guard case .integer(let value) = self, value >= 0 else { return nil }
        return value
    }

    /// The JSON type in words, for messages: "a string", "an array".
    var kindDescription: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .integer: "an integer"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// Compact JSON-like text, cut short so a huge value cannot flood an error message.
    var shortText: String {
        let text = jsonText
        return text.count > 80 ? String(text.prefix(77)) + "..." : text
    }

    private var jsonText: String {
        switch self {
        case .null: return "null"
        case .bool(let value): return String(value)
        case .integer(let value): return String(value)
        case .number(let value): return String(value)
        case .string(let value): return "\"\(value)\""
        case .array(let values):
            // Only the first few elements: the text is truncated anyway.
            let head = values.prefix(16).map(\.jsonText).joined(separator: ", ")
            return "[\(head)\(values.count > 16 ? ", ..." : "")]"
        case .object:
            let members = dictionary ?? [:]
            let head = members.keys.sorted().prefix(8).map { "\"\($0)\": \(members[$0]?.jsonText ?? "")" }
            return "{\(head.joined(separator: ", "))\(members.count > 8 ? ", ..." : "")}"
        }
    }
}

/// Why some bytes are not valid JSON, and where: "unexpected character 'x' at line 3, column 14".
struct JSONSyntaxError: Error {
    let detail: String
}
