import Foundation

/// A parsed JSON value that keeps booleans, integers and floating-point numbers apart.
///
/// `JSONSerialization` bridges `true` to `1` and back, which would let `"n_layer": true` pass
/// as an integer; decoding into this enum with `JSONDecoder` keeps the types distinct. It also
/// tolerates duplicate keys (the first wins) and refuses absurd nesting without crashing.
indirect enum JSONValue: Sendable, Equatable, Decodable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        // Order matters: Bool before Int64 (so true stays a Bool), Int64 before Double (so
        // integers stay exact).
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// Parses `data`, or returns a description of where it is not valid JSON.
    static func parse(_ data: Data) -> Result<JSONValue, JSONSyntaxError> {
        do {
            return .success(try JSONDecoder().decode(JSONValue.self, from: data))
        } catch {
            // JSONDecoder only says "not valid JSON"; JSONSerialization says where. It runs
            // only on this failure path, so valid files are parsed once.
            do {
                _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
                return .failure(JSONSyntaxError(detail: "it cannot be decoded"))
            } catch let error as NSError {
                let detail = error.userInfo[NSDebugDescriptionErrorKey] as? String ?? error.localizedDescription
                return .failure(JSONSyntaxError(detail: detail))
            }
        }
    }

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

/// Why some bytes are not valid JSON, in the parser's words (often with a character position).
struct JSONSyntaxError: Error {
    let detail: String
}
