import Foundation
import Testing

@testable import SwiftSightTokenizers

/// Normalizers against `tokenizers` 0.23.3 (`normalizers.NFC()` … `.normalize_str`), which
/// uses Unicode 9.0 data.
@Suite("Normalizers")
struct TextNormalizerTests {
    /// `(input, NFC, NFD, NFKC, NFKD)`.
    static let cases: [(String, String, String, String, String)] = [
        // A run of marks that Foundation leaves mis-ordered.
        ("x\u{f71}\u{f72}\u{f73}\u{f74}", "x\u{f71}\u{f71}\u{f72}\u{f72}\u{f74}", "x\u{f71}\u{f71}\u{f72}\u{f72}\u{f74}",
         "x\u{f71}\u{f71}\u{f72}\u{f72}\u{f74}", "x\u{f71}\u{f71}\u{f72}\u{f72}\u{f74}"),
        // Compatibility jamo compose after NFKC's decomposition.
        ("\u{314e}\u{314f}", "\u{314e}\u{314f}", "\u{314e}\u{314f}", "\u{d558}", "\u{1112}\u{1161}"),
        ("\u{1112}\u{1161}\u{11ab}", "\u{d55c}", "\u{1112}\u{1161}\u{11ab}", "\u{d55c}", "\u{1112}\u{1161}\u{11ab}"),
        ("a\u{301}\u{323}", "\u{1ea1}\u{301}", "a\u{323}\u{301}", "\u{1ea1}\u{301}", "a\u{323}\u{301}"),
        ("\u{fb01} \u{2460} \u{bd}", "\u{fb01} \u{2460} \u{bd}", "\u{fb01} \u{2460} \u{bd}", "fi 1 1\u{2044}2", "fi 1 1\u{2044}2"),
        // U+11935 + U+11930 compose only since Unicode 13; U+32FF decomposes only since 12.1.
        ("e\u{301}\u{11935}\u{11930}", "\u{e9}\u{11935}\u{11930}", "e\u{301}\u{11935}\u{11930}", "\u{e9}\u{11935}\u{11930}",
         "e\u{301}\u{11935}\u{11930}"),
        ("\u{32ff}", "\u{32ff}", "\u{32ff}", "\u{32ff}", "\u{32ff}"),
        ("A\u{30a} \u{212b}", "\u{c5} \u{c5}", "A\u{30a} A\u{30a}", "\u{c5} \u{c5}", "A\u{30a} A\u{30a}"),
        ("caf\u{e9}", "caf\u{e9}", "cafe\u{301}", "caf\u{e9}", "cafe\u{301}"),
        ("q\u{307}\u{323}", "q\u{323}\u{307}", "q\u{323}\u{307}", "q\u{323}\u{307}", "q\u{323}\u{307}"),
        ("plain ascii", "plain ascii", "plain ascii", "plain ascii", "plain ascii"),
    ]

    @Test("NFC, NFD, NFKC and NFKD equal Hugging Face's", arguments: cases)
    func forms(_ item: (String, String, String, String, String)) {
        #expect(scalars(TextNormalizer.nfc.normalize(item.0)) == scalars(item.1))
        #expect(scalars(TextNormalizer.nfd.normalize(item.0)) == scalars(item.2))
        #expect(scalars(TextNormalizer.nfkc.normalize(item.0)) == scalars(item.3))
        #expect(scalars(TextNormalizer.nfkd.normalize(item.0)) == scalars(item.4))
        #expect(scalars(TextNormalizer.sequence([.nfd, .nfc]).normalize(item.0)) == scalars(item.1))
    }
}
