import Foundation
import Testing

@testable import SwiftSightTokenizers

/// The Llama 3 and Qwen2 scanners against the pieces Hugging Face `tokenizers` 0.23.3
/// (Oniguruma) gives for the same regexes.
@Suite("Llama 3 and Qwen2 pre-tokenizers")
struct Llama3PreTokenizerTests {
    static let llama3Cases: [(String, [String])] = [
        ("Hello world", ["Hello", " world"]),
        ("I'M we'Re THEY'LL x'ſt", ["I", "'M", " we", "'Re", " THEY", "'LL", " x", "'ſ", "t"]),
        ("12345 1234567", ["123", "45", " ", "123", "456", "7"]),
        ("a\r\nb", ["a", "\r\n", "b"]),
        ("line\r\n\r\nnext", ["line", "\r\n\r\n", "next"]),
        ("x \r\n\t y", ["x", " \r\n", "\t", " y"]),
        ("  leading", [" ", " leading"]),
        ("\tdeep", ["\tdeep"]),
        ("(hello) $abc", ["(hello", ")", " $", "abc"]),
        ("end.\r\n", ["end", ".\r\n"]),
        ("a  ", ["a", "  "]),
        ("  !?\n", [" ", " !?\n"]),
        ("\n\nx", ["\n\n", "x"]),
        ("", []),
    ]

    @Test("Hand-picked pieces equal Hugging Face's", arguments: llama3Cases)
    func handPicked(_ text: String, _ expected: [String]) {
        #expect(Llama3PreTokenizer.llama3.pieces(of: text) == expected)
    }

    @Test("Qwen2 keeps one number per piece")
    func qwen2Digits() {
        #expect(Llama3PreTokenizer.qwen2.pieces(of: "x 2024") == ["x", " ", "2", "0", "2", "4"])
    }

    @Test("Random strings split as Hugging Face splits them", arguments: ["llama3", "qwen2"])
    func randomStrings(_ family: String) throws {
        let (patterns, cases) = try FamilyFixtures.pieces()
        let scanner: Llama3PreTokenizer = family == "llama3" ? .llama3 : .qwen2
        #expect(patterns[family] == scanner.pattern)
        let items = try #require(cases[family])
        #expect(items.count >= 400)
        for item in items {
            #expect(scanner.pieces(of: item.text) == item.pieces, "\(String(reflecting: item.text))")
        }
    }
}
