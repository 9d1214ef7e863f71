import Foundation
import SwiftSightTokenizers

/// A `tokenizer.json` loaded as a checkpoint folder's tokenizer, then used: a short text with
/// spaces, digits, accents, CJK, an emoji and an added-token-like string is encoded with and
/// without special tokens and decoded, and a few ids around the vocabulary's ends are looked up.
enum TokenizerInput {
    static let sample = "Hello, world! It's 2026-12-06: naïve café 東京 🙂 <|endoftext|>  \n\tend"

    static func read(_ input: UnsafeRawBufferPointer) throws(TokenizerError) -> String {
        try ScratchFolder.with(file: "tokenizer.json", holding: input) { folder, _ throws(TokenizerError) in
            let tokenizer = try TokenizerLoader.load(directory: folder)
            let ids = tokenizer.encode(sample, addSpecialTokens: true)
            let plain = tokenizer.encode(sample, addSpecialTokens: false)
            let text = tokenizer.decode(ids, skipSpecialTokens: false) + tokenizer.decode(plain, skipSpecialTokens: true)
            let size = tokenizer.vocabularySize
            for id in [-1, 0, 1, size - 1, size, Int.max] {
                if let token = tokenizer.token(forID: id) { _ = tokenizer.id(forToken: token) }
            }
            _ = tokenizer.decode([-1, 0, size - 1, size, Int.min, Int.max], skipSpecialTokens: false)
            return "\(size) tokens, \(ids.count) ids, \(text.utf8.count) bytes decoded"
        }
    }
}
