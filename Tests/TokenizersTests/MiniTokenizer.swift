import Foundation

@testable import SwiftSightTokenizers

/// A small byte-level BPE tokenizer built in code: the 256 byte tokens (ids 0…255 in byte
/// order), a dozen merges, and added tokens with every flag. The expected ids in the tests
/// that use it were computed with Hugging Face `tokenizers` 0.23.3 from the same JSON.
enum MiniTokenizer {
    static let merges = ["Ġ t", "h e", "Ġt he", "a a", "e l", "el l", "ell o", "h ello", "Ġ hello", "aa aa", "' s", "Ġ <"]

    /// `(content, special, singleWord, lstrip, rstrip, normalized)` of each added token.
    static let addedTokens: [(String, Bool, Bool, Bool, Bool, Bool)] = [
        ("<|endoftext|>", true, false, false, false, false),
        ("<|end|>", true, false, false, false, false),
        ("<l>", true, false, true, false, false),
        ("<r>", false, false, false, true, false),
        ("<sw>", true, true, false, false, false),
        ("hello", false, false, false, false, true),
        ("é", false, false, false, false, true),
    ]

    static func vocabulary() -> [String: Int] {
        var vocabulary: [String: Int] = [:]
        var order: [String] = []
        for scalar in ByteLevel.scalars {
            order.append(String(scalar))
        }
        for merge in merges {
            let parts = merge.split(separator: " ").map(String.init)
            let token = parts[0] + parts[1]
            if !order.contains(token) { order.append(token) }
        }
        for (id, token) in order.enumerated() { vocabulary[token] = id }
        return vocabulary
    }

    /// The `tokenizer.json` text.
    static func json(
        normalizer: Any = NSNull(), addPrefixSpace: Bool = false, ignoreMerges: Bool = false,
        preTokenizer: Any? = nil, model: [String: Any] = [:], postProcessor: Any = NSNull(), decoder: Any? = nil
    ) -> String {
        var modelObject: [String: Any] = [
            "type": "BPE", "dropout": NSNull(), "unk_token": NSNull(), "continuing_subword_prefix": NSNull(),
            "end_of_word_suffix": NSNull(), "fuse_unk": false, "byte_fallback": false, "ignore_merges": ignoreMerges,
            "vocab": vocabulary(), "merges": merges,
        ]
        for (key, value) in model { modelObject[key] = value }
        let added: [[String: Any]] = addedTokens.enumerated().map { index, token in
            [
                "id": 1000 + index, "content": token.0, "special": token.1, "single_word": token.2, "lstrip": token.3,
                "rstrip": token.4, "normalized": token.5,
            ]
        }
        let byteLevel: [String: Any] = ["type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true]
        let root: [String: Any] = [
            "version": "1.0", "truncation": NSNull(), "padding": NSNull(), "added_tokens": added, "normalizer": normalizer,
            "pre_tokenizer": preTokenizer
                ?? ["type": "ByteLevel", "add_prefix_space": addPrefixSpace, "trim_offsets": true, "use_regex": true],
            "post_processor": postProcessor, "decoder": decoder ?? byteLevel, "model": modelObject,
        ]
        let data = (try? JSONSerialization.data(withJSONObject: root, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    /// Writes `json` to a temporary `tokenizer.json` and loads it.
    static func load(_ json: String) throws -> BPETokenizer {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        return try BPETokenizer(tokenizerJSON: folder.write("tokenizer.json", json))
    }
}
