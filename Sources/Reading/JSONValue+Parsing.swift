import Foundation

extension JSONValue {
    /// Why some bytes are not valid JSON, and where: `offset` is a byte offset into them.
    package struct ParseError: Error, Sendable {
        package let offset: Int
        package let reason: String
    }

    /// Parses a whole JSON document (RFC 8259; a leading UTF-8 byte-order mark is skipped).
    ///
    /// With `refusingCanonicallyEquivalentKeys`, an object with two keys that differ only in
    /// Unicode normalization is an error: a reader that goes on to put the members in a Swift
    /// dictionary (whose `String` equality is canonical equivalence, where Python's is by code
    /// points) would otherwise merge two keys that Python keeps apart.
    package static func parse(_ bytes: some ContiguousBytes, refusingCanonicallyEquivalentKeys: Bool = false) -> Result<JSONValue, ParseError> {
        bytes.withUnsafeBytes { raw in
            let buffer = raw.bindMemory(to: UInt8.self)
            // Validated once up front, so that strings below decode without checks.
            if let bad = UTF8Validation.firstInvalidOffset(in: buffer) {
                return .failure(ParseError(offset: bad, reason: "the text is not valid UTF-8"))
            }
            var reader = JSONReader(bytes: buffer, refusingCanonicallyEquivalentKeys: refusingCanonicallyEquivalentKeys)
            do throws(ParseError) {
                return .success(try reader.document())
            } catch {
                return .failure(error)
            }
        }
    }
}

/// A recursive-descent JSON reader over bytes already known to be valid UTF-8, with a nesting
/// limit so hostile input cannot exhaust the stack.
private struct JSONReader {
    typealias Failure = JSONValue.ParseError

    static let maximumDepth = 512
    let bytes: UnsafeBufferPointer<UInt8>
    let refusingCanonicallyEquivalentKeys: Bool
    var index = 0
    var depth = 0

    init(bytes: UnsafeBufferPointer<UInt8>, refusingCanonicallyEquivalentKeys: Bool) {
        (self.bytes, self.refusingCanonicallyEquivalentKeys) = (bytes, refusingCanonicallyEquivalentKeys)
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { index = 3 }
    }

    func fail(_ reason: String) -> Failure { Failure(offset: index, reason: reason) }

    func unexpected() -> Failure {
        guard index < bytes.count else { return fail("unexpected end of input") }
        let byte = bytes[index]
        if byte >= 0x21 && byte < 0x7F { return fail("unexpected character '\(Character(Unicode.Scalar(byte)))'") }
        return fail("unexpected byte 0x\(String(byte, radix: 16, uppercase: true))")
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    func next(is ascii: Unicode.Scalar) -> Bool { index < bytes.count && bytes[index] == UInt8(ascii: ascii) }

    mutating func document() throws(Failure) -> JSONValue {
        skipWhitespace()
        let value = try self.value()
        skipWhitespace()
        guard index == bytes.count else { throw fail("unexpected text after the end of the JSON value") }
        return value
    }

    mutating func value() throws(Failure) -> JSONValue {
        guard index < bytes.count else { throw unexpected() }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw unexpected()
        }
    }

    mutating func literal(_ word: String) throws(Failure) {
        for byte in word.utf8 {
            guard index < bytes.count, bytes[index] == byte else { throw unexpected() }
            index += 1
        }
    }

    mutating func enter() throws(Failure) {
        depth += 1
        guard depth <= Self.maximumDepth else { throw fail("nested more than \(Self.maximumDepth) levels deep") }
        index += 1
        skipWhitespace()
    }

    mutating func object() throws(Failure) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        var members: [JSONMember] = []
        // The first spelling of each key, when equivalent spellings are refused.
        var spellings: [String: String] = [:]
        if next(is: "}") { index += 1; return .object(members) }
        while true {
            skipWhitespace()
            guard next(is: "\"") else { throw index < bytes.count ? fail("expected a key in double quotes") : unexpected() }
            let keyOffset = index
            let key = try string()
            if refusingCanonicallyEquivalentKeys {
                if let earlier = spellings[key] {
                    guard earlier.unicodeScalars.elementsEqual(key.unicodeScalars) else {
                        throw Failure(offset: keyOffset, reason: "two keys differ only in Unicode normalization")
                    }
                } else {
                    spellings[key] = key
                }
            }
            skipWhitespace()
            guard next(is: ":") else { throw index < bytes.count ? fail("expected ':' after a key") : unexpected() }
            index += 1
            skipWhitespace()
            members.append(JSONMember(key: key, value: try value()))
            skipWhitespace()
            if next(is: ",") { index += 1; continue }
            if next(is: "}") { index += 1; return .object(members) }
            throw index < bytes.count ? fail("expected ',' or '}' in an object") : unexpected()
        }
    }

    mutating func array() throws(Failure) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        var items: [JSONValue] = []
        if next(is: "]") { index += 1; return .array(items) }
        while true {
            skipWhitespace()
            items.append(try value())
            skipWhitespace()
            if next(is: ",") { index += 1; continue }
            if next(is: "]") { index += 1; return .array(items) }
            throw index < bytes.count ? fail("expected ',' or ']' in an array") : unexpected()
        }
    }

    /// A string from its opening quote, escapes decoded.
    mutating func string() throws(Failure) -> String {
        let opening = index
        index += 1
        // Fast path: a string without escapes is decoded straight from the input.
        var end = index
        while end < bytes.count, bytes[end] != UInt8(ascii: "\""), bytes[end] != UInt8(ascii: "\\"), bytes[end] >= 0x20 { end += 1 }
        if end < bytes.count, bytes[end] == UInt8(ascii: "\"") {
            let decoded = String(decoding: UnsafeBufferPointer(rebasing: bytes[index..<end]), as: UTF8.self)
            index = end + 1
            return decoded
        }
        var text: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return String(decoding: text, as: UTF8.self)
            case UInt8(ascii: "\\"):
                index += 1
                guard index < bytes.count else { throw unexpected() }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): text.append(escape)
                case UInt8(ascii: "b"): text.append(0x08)
                case UInt8(ascii: "f"): text.append(0x0C)
                case UInt8(ascii: "n"): text.append(0x0A)
                case UInt8(ascii: "r"): text.append(0x0D)
                case UInt8(ascii: "t"): text.append(0x09)
                case UInt8(ascii: "u"): text.append(contentsOf: String(try unicodeEscape()).utf8)
                default:
                    index -= 1
                    throw fail("invalid escape sequence")
                }
            default:
                guard byte >= 0x20 else { throw fail("control character in a string (escape it)") }
                text.append(byte)
                index += 1
            }
        }
        throw Failure(offset: opening, reason: "unterminated string")
    }

    /// The scalar of `\uXXXX` (after the `u`), joining a surrogate pair.
    mutating func unicodeEscape() throws(Failure) -> Unicode.Scalar {
        let first = try hex4()
        if (0xD800...0xDBFF).contains(first) {
            guard bytes.count - index >= 2, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                throw fail("lone leading surrogate in a \\u escape")
            }
            index += 2
            let second = try hex4()
            guard (0xDC00...0xDFFF).contains(second),
                  let scalar = Unicode.Scalar(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)) else {
                throw fail("invalid trailing surrogate in a \\u escape")
            }
            return scalar
        }
        guard let scalar = Unicode.Scalar(first) else { throw fail("lone trailing surrogate in a \\u escape") }
        return scalar
    }

    mutating func hex4() throws(Failure) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard index < bytes.count, let digit = Character(Unicode.Scalar(bytes[index])).hexDigitValue else {
                throw fail("invalid hex digit in a \\u escape")
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    mutating func digits() -> Int {
        let start = index
        while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
        return index - start
    }

    /// A number: `.integer` when written as an integer that fits `Int`, else `.number` (so `96.0`
    /// stays a double, and `1e400` is infinity, as in Python).
    mutating func number() throws(Failure) -> JSONValue {
        let start = index
        if next(is: "-") { index += 1 }
        if next(is: "0") { index += 1 } else if digits() == 0 { throw fail("invalid number") }
        var integral = true
        if next(is: ".") {
            index += 1
            integral = false
            guard digits() > 0 else { throw fail("invalid number: digits expected after '.'") }
        }
        if next(is: "e") || next(is: "E") {
            index += 1
            integral = false
            if next(is: "+") || next(is: "-") { index += 1 }
            guard digits() > 0 else { throw fail("invalid number: digits expected in the exponent") }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        if integral, let value = Int(text) { return .integer(value) }
        guard let value = Double(text) else { throw Failure(offset: start, reason: "invalid number") }
        return .number(value)
    }
}
