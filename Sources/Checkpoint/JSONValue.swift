import Foundation

/// A parsed JSON value that keeps booleans, integers and floating-point numbers apart.
///
/// Parsed by SwiftSight's own reader (`JSONValue+Parsing.swift`) rather than `JSONDecoder`,
/// which reads `96.0` as the integer 96 (the safetensors reader refuses it) and keeps the first
/// of two duplicate keys (Python's `json`, and so transformers, keep the last). Absurd nesting
/// is refused without recursion trouble. Tokenizers has its own reader (its objects keep every
/// member in file order, which vocabularies need); the two agree on what they accept.
indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// A number written without fraction or exponent that fits in `Int64`.
    case int(Int64)
    /// Any other number (`96.0`, `1e-5`, an integer too large for `Int64`); `1e400` is infinity.
    case double(Double)
    case string(String)
    case array([JSONValue])
    /// Members by key; of duplicate keys the last wins, as in Python's `json`.
    case object([String: JSONValue])

    /// A non-negative integer that fits in `Int`, or nil.
    var nonNegativeInt: Int? {
        guard case .int(let value) = self, value >= 0 else { return nil }
        return Int(exactly: value)
    }

    /// The JSON type in words, for messages: "a string", "an array".
    var kindDescription: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .int: "an integer"
        case .double: "a number"
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
        case .int(let value): return String(value)
        case .double(let value): return String(value)
        case .string(let value): return "\"\(value)\""
        case .array(let values):
            // Only the first few elements: the text is truncated anyway.
            let head = values.prefix(16).map(\.jsonText).joined(separator: ", ")
            return "[\(head)\(values.count > 16 ? ", ..." : "")]"
        case .object(let members):
            let head = members.keys.sorted().prefix(8).map { "\"\($0)\": \(members[$0]?.jsonText ?? "")" }
            return "{\(head.joined(separator: ", "))\(members.count > 8 ? ", ..." : "")}"
        }
    }
}

/// Why some bytes are not valid JSON, and where: "unexpected character 'x' at line 3, column 14".
struct JSONSyntaxError: Error {
    let detail: String
}
