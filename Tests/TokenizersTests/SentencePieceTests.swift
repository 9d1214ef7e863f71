import Foundation
import Testing

@testable import SwiftSightTokenizers

/// The pieces of SentencePiece-style tokenizers: the Metaspace pre-tokenizer, Prepend and
/// Replace normalizers, and the Replace, ByteFallback, Fuse, Strip and Metaspace decoders,
/// against Hugging Face `tokenizers` 0.23.3.
@Suite("SentencePiece-style pieces")
struct SentencePieceTests {
    @Test("Metaspace splits as Hugging Face's", arguments: [
        (MetaspacePreTokenizer.PrependScheme.first, true, ["▁Hey", "▁", "▁friend", "▁", "▁x", "▁"]),
        (.first, false, ["▁Hey▁▁friend▁▁x▁"]),
        (.always, true, ["▁Hey", "▁", "▁friend", "▁", "▁x", "▁"]),
        (.never, true, ["Hey", "▁", "▁friend", "▁", "▁x", "▁"]),
        (.never, false, ["Hey▁▁friend▁▁x▁"]),
    ])
    func metaspace(_ scheme: MetaspacePreTokenizer.PrependScheme, _ split: Bool, _ expected: [String]) {
        let preTokenizer = MetaspacePreTokenizer(prependScheme: scheme, splitsAtReplacement: split)
        #expect(preTokenizer.pieces(of: "Hey  friend ▁x ") == expected)
        #expect(preTokenizer.pieces(of: "▁a b") == (split ? ["▁a", "▁b"] : ["▁a▁b"]))
    }

    @Test("Metaspace's first scheme prepends only at the start of the input")
    func metaspaceFirst() {
        let preTokenizer = MetaspacePreTokenizer(prependScheme: .first, splitsAtReplacement: false)
        var pieces: [ArraySlice<UInt8>] = []
        preTokenizer.split(Array("after".utf8)[...], atStartOfInput: false, into: &pieces)
        #expect(pieces.map { String(decoding: $0, as: UTF8.self) } == ["after"])
    }

    @Test("Prepend and Replace normalize as Hugging Face's")
    func normalizers() {
        let legacy = TextNormalizer.sequence([.prepend("▁"), .replace(pattern: " ", content: "▁")])
        #expect(legacy.normalize("Hello world") == "▁Hello▁world")
        #expect(legacy.normalize(" x") == "▁▁x")
        #expect(legacy.normalize("") == "")
        #expect(TextNormalizer.replace(pattern: "aa", content: "b").normalize("aaaaa") == "bba")
    }

    @Test("ByteFallback decodes byte runs, one U+FFFD per byte when ill-formed")
    func byteFallback() {
        #expect(TokenDecoder.byteFallback.decode(["<0xE2>", "<0x96>", "<0x81>"]) == "▁")
        #expect(TokenDecoder.byteFallback.decode(["a", "<0xE2>", "<0x96>", "b"]) == "a\u{FFFD}\u{FFFD}b")
        #expect(TokenDecoder.byteFallback.decode(["<0x+A>", "<0x0a>", "<0xG0>", "<0xF0>"]) == "\n\n<0xG0>\u{FFFD}")
    }

    @Test("Strip and Metaspace decoders work token by token")
    func stripAndMetaspace() {
        #expect(TokenDecoder.strip(content: " ", start: 2, stop: 1).decode(["   a  ", " b", "x "]) == " a bx")
        #expect(TokenDecoder.metaspace(replacement: "▁", prependsToFirst: true).decode(["▁a▁b", "▁c", "d▁"]) == "ab cd ")
        #expect(TokenDecoder.metaspace(replacement: "▁", prependsToFirst: false).decode(["▁a▁b", "▁c", "d▁"]) == " a b cd ")
        // Hugging Face panics here (start cut past stop cut); this gives an empty token.
        #expect(TokenDecoder.strip(content: " ", start: 2, stop: 2).decode([" "]) == "")
    }
}
