import Foundation
import Testing

@testable import SwiftSightTokenizers
import SwiftSightReading

/// The JSON reader behind every loader.
@Suite("JSON parsing")
struct JSONParsingTests {
    func parse(_ text: String) -> Result<JSONValue, JSONValue.ParseError> {
        JSONValue.parse(Array(text.utf8))
    }

    @Test("Strings, escapes and surrogate pairs")
    func strings() throws {
        guard case .success(.string(let text)) = parse(#" "a\"\\\/\b\f\n\r\t\u00e9\ud83d\udc4d\u0000z" "#) else {
            Issue.record("did not parse")
            return
        }
        #expect(scalars(text) == scalars("a\"\\/\u{8}\u{c}\n\r\té👍\u{0}z"))
    }

    @Test("Objects keep duplicate and canonically equivalent keys apart, in order")
    func keys() throws {
        guard case .success(.object(let members)) = parse(#"{"\u00c5": 1, "\u212b": 2, "a": 3, "a": 4}"#) else {
            Issue.record("did not parse")
            return
        }
        #expect(members.map { scalars($0.key) } == [[0xC5], [0x212B], [0x61], [0x61]])
        let cursor = JSONCursor(value: .object(members), path: "", file: URL(fileURLWithPath: "/x.json"))
        #expect(try cursor.requiredMember("a").integer() == 4)
    }

    @Test("Numbers")
    func numbers() throws {
        guard case .success(.array(let items)) = parse("[0, -12, 3.5, 1e3, 12345678901234567890, -0.0]") else {
            Issue.record("did not parse")
            return
        }
        guard items.count == 6, case .integer(0) = items[0], case .integer(-12) = items[1], case .number(3.5) = items[2],
            case .number(1000) = items[3], case .number = items[4], case .number = items[5]
        else {
            Issue.record("wrong values: \(items)")
            return
        }
    }

    @Test("Malformed documents are errors with a place", arguments: [
        "", "{", "[1, 2,]", "{\"a\" 1}", "{\"a\": tru}", "\"\\ud800\"", "\"\\udc00x\"", "\"a\u{1}\"", "[1] 2", "01", "1.", "-",
        "\"\\q\"", String(repeating: "[", count: 600) + String(repeating: "]", count: 600),
    ])
    func malformed(_ text: String) {
        guard case .failure(let error) = parse(text) else {
            Issue.record("parsed \(String(reflecting: text))")
            return
        }
        #expect(error.offset >= 0 && error.offset <= text.utf8.count)
        #expect(!error.reason.isEmpty)
    }

    @Test("Ill-formed UTF-8 is rejected, a byte-order mark skipped")
    func encoding() {
        guard case .failure = JSONValue.parse([0x22, 0xC3, 0x28, 0x22]) else {
            Issue.record("accepted ill-formed UTF-8")
            return
        }
        guard case .success(.bool(true)) = JSONValue.parse([0xEF, 0xBB, 0xBF] + Array("true".utf8)) else {
            Issue.record("rejected a byte-order mark")
            return
        }
        #expect(UTF8Validation.firstInvalidOffset(in: Array("héllo 👍".utf8)) == nil)
        #expect(UTF8Validation.firstInvalidOffset(in: [0x61, 0xED, 0xA0, 0x80]) == 1)
        #expect(UTF8Validation.firstInvalidOffset(in: [0xF4, 0x90, 0x80, 0x80]) == 0)
        #expect(UTF8Validation.firstInvalidOffset(in: [0xE0, 0x80, 0x80]) == 0)
        #expect(UTF8Validation.firstInvalidOffset(in: [0x61, 0xE2, 0x82]) == 1)
    }
}
