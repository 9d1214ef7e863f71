import Foundation
import Testing

@testable import SwiftSightTokenizers

/// The BPE model alone, with every option. Expected ids come from `tokenizers` 0.23.3's
/// `models.BPE(...).tokenize(word)`.
@Suite("BPE model")
struct BPEModelTests {
    static func model(
        _ vocabulary: [(String, UInt32)], _ merges: [(String, String)], _ options: BPEModel.Options = .init()
    ) throws -> BPEModel {
        try BPEModel(
            vocabulary: vocabulary.map { (token: $0.0, id: $0.1) }, merges: merges, options: options,
            file: URL(fileURLWithPath: "/test/tokenizer.json"), optionsKey: "model", mergeLocation: { "model.merges[\($0)]" })
    }

    static let vocabulary1: [(String, UInt32)] = [
        ("<unk>", 0), ("a", 1), ("b", 2), ("ab", 3), ("<0xC3>", 4), ("<0xA9>", 5), ("c", 6), ("bc", 7), ("abc", 8),
    ]
    static let merges1 = [("a", "b"), ("b", "c"), ("ab", "c")]

    @Test("Unknown scalars become the unknown token", arguments: [
        ("axxb", [1, 0, 0, 2]), ("xx", [0, 0]), ("abcab", [8, 3]), ("éa", [0, 1]), ("ab\u{e9}c", [3, 0, 6]),
    ])
    func unknown(_ word: String, _ ids: [Int]) throws {
        let model = try Self.model(Self.vocabulary1, Self.merges1, .init(unknownToken: "<unk>"))
        #expect(model.tokenize(word) == ids)
    }

    @Test("fuse_unk joins runs of unknown scalars", arguments: [
        ("axxb", [1, 0, 2]), ("xx", [0]), ("éxa", [0, 1]), ("xéx", [0]),
    ])
    func fusedUnknown(_ word: String, _ ids: [Int]) throws {
        let model = try Self.model(Self.vocabulary1, Self.merges1, .init(unknownToken: "<unk>", fuseUnknown: true))
        #expect(model.tokenize(word) == ids)
    }

    @Test("byte_fallback spells unknown scalars as <0xXX> tokens, Hugging Face's order included", arguments: [
        ("aéb", [1, 4, 5, 2]), ("aZb", [1, 0, 2]), ("éé", [4, 5, 4, 5]), ("Zé", [4, 5, 0]),
    ])
    func byteFallback(_ word: String, _ ids: [Int]) throws {
        let model = try Self.model(Self.vocabulary1, Self.merges1, .init(unknownToken: "<unk>", byteFallback: true))
        #expect(model.tokenize(word) == ids)
    }

    @Test("Without an unknown token, unknown scalars are dropped", arguments: [("aZb", [3]), ("ZZ", [Int]()), ("éZ", [4, 5])])
    func droppedUnknown(_ word: String, _ ids: [Int]) throws {
        let model = try Self.model(Self.vocabulary1, Self.merges1, .init(byteFallback: true))
        #expect(model.tokenize(word) == ids)
    }

    @Test("Continuing-subword prefix and end-of-word suffix", arguments: [
        ("abc", [5]), ("ab", [0]), ("a", [8]), ("cab", [Int]()),
    ])
    func affixes(_ word: String, _ ids: [Int]) throws {
        let vocabulary: [(String, UInt32)] = [
            ("a", 0), ("##b", 1), ("##c", 2), ("##c</w>", 3), ("ab", 4), ("abc</w>", 5), ("b", 6), ("c</w>", 7), ("a</w>", 8),
        ]
        let model = try Self.model(
            vocabulary, [("a", "##b"), ("ab", "##c</w>")], .init(continuingSubwordPrefix: "##", endOfWordSuffix: "</w>"))
        #expect(model.tokenize(word) == ids)
    }

    static let vocabulary3: [(String, UInt32)] = [("a", 0), ("b", 1), ("c", 2), ("ab", 3), ("bc", 4), ("abc", 5), ("abcabc", 6)]
    static let merges3 = [("b", "c"), ("a", "b"), ("a", "bc")]

    @Test("Lowest rank first, leftmost first among equals", arguments: [
        ("abc", [5]), ("ababc", [3, 5]), ("abcabc", [5, 5]), ("cabca", [2, 5, 0]),
    ])
    func priority(_ word: String, _ ids: [Int]) throws {
        #expect(try Self.model(Self.vocabulary3, Self.merges3).tokenize(word) == ids)
    }

    @Test("ignore_merges emits a word that is a token as is", arguments: [("abc", [5]), ("abcabc", [6]), ("ababc", [3, 5])])
    func ignoreMerges(_ word: String, _ ids: [Int]) throws {
        #expect(try Self.model(Self.vocabulary3, Self.merges3, .init(ignoreMerges: true)).tokenize(word) == ids)
    }

    @Test("Runs of one letter", arguments: zip(1...8, [[0], [1], [2], [3], [1, 2], [3, 1], [3, 2], [3, 3]]))
    func runs(_ length: Int, _ ids: [Int]) throws {
        let model = try Self.model([("a", 0), ("aa", 1), ("aaa", 2), ("aaaa", 3)], [("a", "a"), ("aa", "a"), ("aa", "aa")])
        #expect(model.tokenize(String(repeating: "a", count: length)) == ids)
    }

    @Test("Tokens that are canonically equivalent but spelled differently stay apart")
    func canonicalEquivalence() throws {
        // U+00C5 and U+212B are canonically equivalent: equal as Swift Strings.
        let model = try Self.model([("\u{C5}", 0), ("\u{212B}", 1), ("e\u{301}", 2), ("\u{E9}", 3)], [])
        #expect(model.id(forToken: "\u{C5}") == 0)
        #expect(model.id(forToken: "\u{212B}") == 1)
        #expect(model.id(forToken: "e\u{301}") == 2)
        #expect(model.id(forToken: "\u{E9}") == 3)
        #expect(model.token(forID: 1).map(scalars) == [0x212B])
        #expect(model.tokenize("\u{212B}\u{C5}") == [1, 0])
    }

    @Test("A merge naming a missing token is an error naming it and its place")
    func missingMergeToken() throws {
        #expect(throws: TokenizerError.mergeTokenNotInVocabulary(
            URL(fileURLWithPath: "/test/tokenizer.json"), location: "model.merges[1]", token: "x")) {
            try Self.model([("a", 0), ("b", 1), ("ab", 2)], [("a", "b"), ("x", "b")])
        }
        #expect(throws: TokenizerError.mergeTokenNotInVocabulary(
            URL(fileURLWithPath: "/test/tokenizer.json"), location: "model.merges[0]", token: "ba")) {
            try Self.model([("a", 0), ("b", 1), ("ab", 2)], [("b", "a")])
        }
    }
}
