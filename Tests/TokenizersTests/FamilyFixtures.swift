import Foundation

@testable import SwiftSightTokenizers

/// The reference tokenizers of `Tests/Fixtures/tokenizers`, written by
/// `Scripts/fixtures_tokenizers.py` with Hugging Face `tokenizers` 0.23.3.
enum FamilyFixtures {
    /// The families, one folder each.
    static let names = ["llama3", "qwen2", "gpt-neox", "llama2", "mistral"]

    /// `Tests/Fixtures/tokenizers`.
    static let directory = Fixtures.directory.appendingPathComponent("tokenizers")

    /// The contents of a family's `cases.json`.
    struct Reference: Decodable, Sendable {
        /// One text with its ids and decodings.
        struct Case: Decodable, Sendable {
            let text: String
            let ids: [Int]
            let idsWithoutSpecialTokens: [Int]
            let decoded: String
            let decodedSkippingSpecialTokens: String
        }

        /// An arbitrary id list with its decodings.
        struct Decode: Decodable, Sendable {
            let ids: [Int]
            let decoded: String
            let decodedSkippingSpecialTokens: String
        }

        let tokenizers: String
        let vocabularySize: Int
        let cases: [Case]
        let decodes: [Decode]
    }

    /// The folder of `family`.
    static func folder(_ family: String) -> URL {
        directory.appendingPathComponent(family)
    }

    /// The reference cases of `family`.
    static func reference(_ family: String) throws -> Reference {
        let data = try Data(contentsOf: folder(family).appendingPathComponent("cases.json"))
        return try JSONDecoder().decode(Reference.self, from: data)
    }

    /// The tokenizer of `family`, loaded from its `tokenizer.json`.
    static func tokenizer(_ family: String) throws -> BPETokenizer {
        try BPETokenizer(tokenizerJSON: folder(family).appendingPathComponent("tokenizer.json"))
    }

    /// One piece-splitting case of `pretokenizer_pieces.json`.
    struct PiecesCase: Decodable, Sendable {
        let text: String
        let pieces: [String]
    }

    private struct PiecesFile: Decodable {
        let patterns: [String: String]
        let cases: [String: [PiecesCase]]
    }

    /// The patterns and the cases of `pretokenizer_pieces.json`, by family.
    static func pieces() throws -> (patterns: [String: String], cases: [String: [PiecesCase]]) {
        let data = try Data(contentsOf: directory.appendingPathComponent("pretokenizer_pieces.json"))
        let file = try JSONDecoder().decode(PiecesFile.self, from: data)
        return (file.patterns, file.cases)
    }
}
