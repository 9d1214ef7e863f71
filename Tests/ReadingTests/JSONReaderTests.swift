import Foundation
import Testing
import SwiftSightReading

/// The one JSON reader, on its own: what its callers (config.json, safetensors headers, shard
/// indexes, tokenizer files) rely on.
@Suite struct JSONReaderTests {
    func parse(_ text: String, refusing: Bool = false) -> Result<JSONValue, JSONValue.ParseError> {
        JSONValue.parse(Array(text.utf8), refusingCanonicallyEquivalentKeys: refusing)
    }

    /// Python 3: `json.loads('{"a": 1, "b": {"c": 2, "c": 3}, "a": 4}')` gives
    /// `{'a': 4, 'b': {'c': 3}}`: of duplicate keys the last wins, at every level, and
    /// transformers reads config.json with `json`.
    @Test func duplicateKeysLastWinsAsInPython() throws {
        let root = try parse(#"{"a": 1, "b": {"c": 2, "c": 3}, "a": 4}"#).get()
        #expect(root.member("a") == .integer(4))
        #expect(root.member("b")?.member("c") == .integer(3))
        // Both members are kept, in file order, for readers that need them all.
        guard case .object(let members) = root else { Issue.record("not an object"); return }
        #expect(members.map(\.key) == ["a", "b", "a"])
    }

    /// "\u00c5" and "\u212b" are one Swift `String` but two Python keys: kept apart by default,
    /// refused when asked (for readers that go on to build a dictionary).
    @Test func canonicallyEquivalentKeys() throws {
        let text = #"{"\u00c5": 1, "\u212b": 2}"#
        let root = try parse(text).get()
        #expect(root.member("\u{C5}") == .integer(1))
        #expect(root.member("\u{212B}") == .integer(2))
        guard case .failure(let error) = parse(text, refusing: true) else { Issue.record("accepted"); return }
        #expect(error.reason == "two keys differ only in Unicode normalization")
        // A plain duplicate is not refused.
        #expect(try parse(#"{"\u00c5": 1, "\u00c5": 2}"#, refusing: true).get().member("\u{C5}") == .integer(2))
    }

    @Test func integralFloatsStayNumbers() throws {
        #expect(try parse("[96, 96.0, 1e2, 1e400]").get() == .array([.integer(96), .number(96), .number(100), .number(.infinity)]))
    }

    @Test func errorsSayWhereByLineAndColumn() {
        let text = "{\n  \"é\": tru\n}"
        guard case .failure(let error) = parse(text) else { Issue.record("accepted"); return }
        // Columns count Unicode scalars: the newline after "tru" is column 11, though byte 12.
        let place = TextPosition.lineAndColumn(of: error.offset, in: Array(text.utf8))
        #expect(place.line == 2 && place.column == 11, "\(place)")
    }
}
