import Foundation
import SwiftSightReading

extension JSONValue {
    /// A short description of the value for error messages: its text when short, else its kind.
    var summary: String {
        switch self {
        case .null: return "null"
        case .bool(let value): return value ? "true" : "false"
        case .integer(let value): return String(value)
        case .number(let value): return String(value)
        case .string(let value): return JSONValue.quoted(value)
        case .array(let items): return "an array of \(items.count) item\(items.count == 1 ? "" : "s")"
        case .object(let members): return "an object with \(members.count) key\(members.count == 1 ? "" : "s")"
        }
    }

    /// Reads and parses `file`.
    /// - Throws: ``TokenizerError`` naming the file, and for bad JSON the line and column.
    static func read(_ file: URL) throws(TokenizerError) -> JSONCursor {
        let bytes = try FileBytes.read(file)
        switch parse(bytes) {
        case .success(let value):
            return JSONCursor(value: value, path: "", file: file)
        case .failure(let error):
            let (line, column) = TextPosition.lineAndColumn(of: error.offset, in: bytes)
            throw TokenizerError.invalidJSON(file, line: line, column: column, reason: error.reason)
        }
    }
}

/// A JSON value together with the file it came from and its key path in that file, so that
/// every error it raises names both.
struct JSONCursor: Sendable {
    /// The value at `path`.
    let value: JSONValue
    /// The key path from the document root, such as `model.merges[3]`; empty for the root.
    let path: String
    /// The file the document was read from.
    let file: URL

    /// Whether the value is JSON `null`.
    var isNull: Bool {
        if case .null = value { return true }
        return false
    }

    /// The path of member `key` of this object.
    func path(ofMember key: String) -> String {
        let plain = !key.isEmpty && key.utf8.allSatisfy { byte in
            (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x5F
        }
        if plain { return path.isEmpty ? key : path + "." + key }
        return path + "[" + JSONValue.quoted(key) + "]"
    }

    /// The path of element `index` of this array.
    func path(ofElement index: Int) -> String {
        path + "[\(index)]"
    }

    /// Member `key` of this object, or `nil` when this is not an object or has no such key.
    /// When a key appears twice the last one wins, as with serde.
    func member(_ key: String) -> JSONCursor? {
        guard let found = value.member(key) else { return nil }
        return JSONCursor(value: found, path: path(ofMember: key), file: file)
    }

    /// Member `key`, or `nil` when it is absent or `null`.
    func optionalMember(_ key: String) -> JSONCursor? {
        guard let found = member(key), !found.isNull else { return nil }
        return found
    }

    /// Member `key` of this object.
    /// - Throws: ``TokenizerError/missingKey(_:key:)`` when it is absent.
    func requiredMember(_ key: String) throws(TokenizerError) -> JSONCursor {
        guard case .object = value else { throw mismatch(expected: "an object") }
        guard let found = member(key) else { throw TokenizerError.missingKey(file, key: path(ofMember: key)) }
        return found
    }

    /// The error for a value that is not `expected`.
    func mismatch(expected: String) -> TokenizerError {
        .invalidValue(file, key: path.isEmpty ? "the document" : path, expected: expected, found: value.summary)
    }

    /// The value as a string.
    func string() throws(TokenizerError) -> String {
        guard case .string(let text) = value else { throw mismatch(expected: "a string") }
        return text
    }

    /// The value as a boolean.
    func bool() throws(TokenizerError) -> Bool {
        guard case .bool(let flag) = value else { throw mismatch(expected: "true or false") }
        return flag
    }

    /// The value as an integer.
    func integer() throws(TokenizerError) -> Int {
        guard case .integer(let number) = value else { throw mismatch(expected: "an integer") }
        return number
    }

    /// The value as a number of any kind.
    func number() throws(TokenizerError) -> Double {
        switch value {
        case .integer(let number): return Double(number)
        case .number(let number): return number
        default: throw mismatch(expected: "a number")
        }
    }

    /// The elements of this array, each with its own path.
    func elements() throws(TokenizerError) -> [JSONCursor] {
        guard case .array(let items) = value else { throw mismatch(expected: "an array") }
        return items.enumerated().map { JSONCursor(value: $1, path: path(ofElement: $0), file: file) }
    }

    /// The members of this object in file order, duplicates included.
    func members() throws(TokenizerError) -> [JSONMember] {
        guard case .object(let members) = value else { throw mismatch(expected: "an object") }
        return members
    }
}
