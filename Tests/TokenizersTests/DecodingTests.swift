import Foundation
import Testing

@testable import SwiftSightTokenizers

/// Byte-level decoding; expected strings come from `tokenizers` 0.23.3's `decode`.
@Suite("Decoding")
struct DecodingTests {
    @Test("Ill-formed UTF-8 becomes U+FFFD per maximal subpart, as in Hugging Face", arguments: [
        ([0xE2, 0x82], "\u{FFFD}"),
        ([0xF0, 0x80, 0x80], "\u{FFFD}\u{FFFD}\u{FFFD}"),
        ([0xC3, 97], "\u{FFFD}a"),
        ([0xED, 0xA0, 0x80], "\u{FFFD}\u{FFFD}\u{FFFD}"),
        ([0xF4, 0x90, 0x80, 0x80], "\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}"),
        ([0xE2, 0x82, 0xAC, 0xFF, 0xC0, 0xAF], "€\u{FFFD}\u{FFFD}\u{FFFD}"),
        ([0xF0, 0x9F, 0x91], "\u{FFFD}"),
        ([0xF0, 0x9F, 0x91, 0x8D], "👍"),
    ] as [([Int], String)])
    func illFormed(_ ids: [Int], _ expected: String) throws {
        let tokenizer = try MiniTokenizer.load(MiniTokenizer.json())
        #expect(scalars(tokenizer.decode(ids)) == scalars(expected))
    }

    @Test("Unknown ids are skipped; special tokens only when asked")
    func unknownAndSpecial() throws {
        let tokenizer = try MiniTokenizer.load(MiniTokenizer.json())
        #expect(tokenizer.decode([104, 105, 99_999, -3, 268, 33]) == "hi<|endoftext|>!")
        #expect(tokenizer.decode([104, 105, 99_999, 268, 33], skipSpecialTokens: true) == "hi!")
        #expect(tokenizer.decode([]) == "")
    }

    @Test("Without a decoder, tokens are joined with spaces")
    func noDecoder() throws {
        let tokenizer = try MiniTokenizer.load(MiniTokenizer.json(decoder: NSNull()))
        #expect(tokenizer.decode([104, 105, 257]) == "h i he")
    }

    @Test("The byte mapping is GPT-2's and round-trips")
    func byteMapping() {
        #expect(ByteLevel.scalars[0x20] == "Ġ")
        #expect(ByteLevel.scalars[0x0A] == "Ċ")
        #expect(ByteLevel.scalars[0x21] == "!")
        #expect(ByteLevel.scalars[0xAD] == "\u{143}")
        #expect(Set(ByteLevel.scalars).count == 256)
        for byte in 0..<256 {
            #expect(ByteLevel.byte(for: ByteLevel.scalars[byte]) == UInt8(byte))
        }
        #expect(ByteLevel.byte(for: "\u{144}") == nil)
        #expect(ByteLevel.decode(ByteLevel.encode(Array("héllo 👍\n".utf8))) == Array("héllo 👍\n".utf8))
    }
}
