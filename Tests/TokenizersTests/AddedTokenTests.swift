import Foundation
import Testing

@testable import SwiftSightTokenizers

/// Added tokens, their flags and the ids Hugging Face gives them, on ``MiniTokenizer``.
/// Every expected id list comes from `tokenizers` 0.23.3.
@Suite("Added tokens")
struct AddedTokenTests {
    static let plain: [(String, [Int])] = [
        ("aaaaa", [265, 97]), ("aaaaaaa", [265, 259, 97]), ("hello", [263]), (" hello", [32, 263]),
        ("the the", [116, 257, 258]), ("it's", [105, 116, 266]), ("<|end|><|endoftext|>", [269, 268]),
        ("<|endoftext|>x<|end|", [268, 120, 60, 124, 101, 110, 100, 124]), ("a  <l>b", [97, 270, 98]),
        ("x<l>", [120, 270]), ("<r>  \n c", [271, 99]), ("<r>", [271]), ("<sw> x", [272, 32, 120]),
        ("a<sw>", [97, 60, 115, 119, 62]), ("<sw>b", [60, 115, 119, 62, 98]), ("é<sw>", [233, 60, 115, 119, 62]),
        (" <sw> ", [32, 272, 32]), ("_<sw>", [95, 60, 115, 119, 62]), ("-<sw>-", [45, 272, 45]),
        ("hellohello", [263, 263]), ("say hello", [115, 97, 121, 32, 263]), ("e\u{301}", [101, 204, 129]),
        ("é", [233]), ("caf\u{e9} cafe\u{301}", [99, 97, 102, 233, 32, 99, 97, 102, 101, 204, 129]),
        (" <l> <r> ", [270, 32, 271]), ("<<|endoftext|>>", [60, 268, 62]),
    ]

    @Test("Flags, longest match and id assignment", arguments: plain)
    func plainCases(_ text: String, _ ids: [Int]) throws {
        let tokenizer = try MiniTokenizer.load(MiniTokenizer.json())
        #expect(tokenizer.encode(text) == ids)
    }

    @Test("Ids: vocabulary tokens keep theirs, new ones follow the vocabulary, JSON ids are ignored")
    func ids() throws {
        let tokenizer = try MiniTokenizer.load(MiniTokenizer.json())
        let contents = MiniTokenizer.addedTokens.map(\.0)
        #expect(contents.map { tokenizer.id(forToken: $0) } == [268, 269, 270, 271, 272, 263, 233])
        #expect(tokenizer.vocabularySize == 273)
        #expect(tokenizer.endOfTextID == 268)
        #expect(tokenizer.token(forID: 270) == "<l>")
    }

    @Test("Normalized tokens are matched in NFC text", arguments: [
        ("e\u{301}", [233]), ("caf\u{e9} cafe\u{301}", [99, 97, 102, 233, 32, 99, 97, 102, 233]), ("a<sw>", [97, 60, 115, 119, 62]),
    ])
    func normalizedMatching(_ text: String, _ ids: [Int]) throws {
        let tokenizer = try MiniTokenizer.load(MiniTokenizer.json(normalizer: ["type": "NFC"]))
        #expect(tokenizer.encode(text) == ids)
    }

    @Test("A prefix space goes before each stretch between added tokens", arguments: [
        ("aaaaa", [32, 265, 97]), ("the the", [258, 258]), ("<|endoftext|>x<|end|", [268, 32, 120, 60, 124, 101, 110, 100, 124]),
        ("a  <l>b", [32, 97, 270, 32, 98]), ("<sw>b", [267, 115, 119, 62, 98]), ("-<sw>-", [32, 45, 272, 32, 45]),
        ("<<|endoftext|>>", [267, 268, 32, 62]), (" <l> <r> ", [270, 32, 271]), ("<r>  \n c", [271, 32, 99]),
    ])
    func prefixSpace(_ text: String, _ ids: [Int]) throws {
        let tokenizer = try MiniTokenizer.load(MiniTokenizer.json(addPrefixSpace: true))
        #expect(tokenizer.encode(text) == ids)
    }

    @Test("Decoding an added token that spells a lone byte gives U+FFFD, as in Hugging Face")
    func decodeByteScalarToken() throws {
        let tokenizer = try MiniTokenizer.load(MiniTokenizer.json())
        #expect(tokenizer.decode([233]) == "\u{FFFD}")
        #expect(tokenizer.decode([268, 97, 269], skipSpecialTokens: true) == "a")
        #expect(tokenizer.decode([268, 97, 271], skipSpecialTokens: true) == "a<r>")
    }
}
