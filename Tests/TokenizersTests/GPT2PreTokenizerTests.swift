import Foundation
import Testing

@testable import SwiftSightTokenizers

/// The GPT-2 scanner against the pieces Hugging Face `tokenizers` 0.23.3 (Oniguruma) gives for
/// the same regex.
@Suite("GPT-2 pre-tokenizer")
struct GPT2PreTokenizerTests {
    static let cases: [(String, [String])] = [
        ("Hello world", ["Hello", " world"]),
        ("a  b   c", ["a", " ", " b", "  ", " c"]),
        ("  x", [" ", " x"]),
        ("x  ", ["x", "  "]),
        (" \t\n a", [" \t\n", " a"]),
        ("\t\ta", ["\t", "\t", "a"]),
        ("   !?", ["  ", " !?"]),
        (
            "I'm it's we'LL 'S 'll ''s x's",
            ["I", "'m", " it", "'s", " we", "'", "LL", " '", "S", " '", "ll", " ''", "s", " x", "'s"]
        ),
        ("rock'n'roll", ["rock", "'", "n", "'", "roll"]),
        ("12 345abc 3.14", ["12", " 345", "abc", " 3", ".", "14"]),
        (
            "é e\u{301} \u{a0}x \u{3000}y \u{200b}z",
            ["é", " e", "\u{301}", " ", "\u{a0}", "x", " ", "\u{3000}", "y", " \u{200b}", "z"]
        ),
        // U+10940 and U+088F are letters only since Unicode 17, which the reference does not know.
        ("\u{10940}a \u{88f}1", ["\u{10940}", "a", " \u{88f}", "1"]),
        ("½² ٣", ["½²", " ٣"]),
        ("a\r\nb", ["a", "\r", "\n", "b"]),
        ("👍👍 👍", ["👍👍", " 👍"]),
        ("  ", ["  "]),
        (" ", [" "]),
        ("", []),
    ]

    @Test("Pieces equal Hugging Face's", arguments: cases)
    func pieces(_ text: String, _ expected: [String]) {
        let pieces = GPT2PreTokenizer().pieces(of: text)
        #expect(pieces.map(scalars) == expected.map(scalars))
    }

    @Test("Pieces cover the input exactly", arguments: cases.map(\.0))
    func coverage(_ text: String) {
        #expect(scalars(GPT2PreTokenizer().pieces(of: text).joined()) == scalars(text))
    }

    @Test("White_Space is \\s; U+200B and U+180E are not")
    func whitespaceClass() throws {
        let whitespace: [UInt32] = [
            0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006,
            0x2007, 0x2008, 0x2009, 0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000,
        ]
        for value in whitespace {
            let scalar = try #require(Unicode.Scalar(value))
            #expect(ScalarClass.of(scalar) == .whitespace, "U+\(String(value, radix: 16))")
        }
        for value: UInt32 in [0x200B, 0x180E, 0xFEFF, 0x1C] {
            let scalar = try #require(Unicode.Scalar(value))
            #expect(ScalarClass.of(scalar) != .whitespace, "U+\(String(value, radix: 16))")
        }
    }

    @Test("A Sequence of Split and ByteLevel with a prefix space prefixes every piece")
    func sequenceWithPrefix() {
        let sequence = PreTokenizerSequence([GPT2PreTokenizer(), ByteLevelPreTokenizer(addPrefixSpace: true, useRegex: false)])
        #expect(sequence.pieces(of: "a,b  c") == [" a", " ,", " b", " ", " c"])
        #expect(ByteLevelPreTokenizer(addPrefixSpace: true, useRegex: true).pieces(of: "a,b") == [" a", ",", "b"])
        #expect(ByteLevelPreTokenizer(addPrefixSpace: false, useRegex: false).pieces(of: "a,b c") == ["a,b c"])
    }
}
