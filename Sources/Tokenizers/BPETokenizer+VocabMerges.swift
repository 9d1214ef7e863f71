import Foundation
import SwiftSightReading

extension BPETokenizer {
    /// Loads a GPT-2 tokenizer from `vocab.json` and `merges.txt`, as GPT-2's files were
    /// published before `tokenizer.json` existed.
    ///
    /// The tokenizer splits with GPT-2's pattern without a prefix space and decodes byte-level.
    /// `merges.txt` may start with a `#version` line; blank lines are skipped. When the
    /// vocabulary has `<|endoftext|>`, it becomes an added special token.
    /// - Throws: ``TokenizerError`` naming the file and the key or line at fault.
    init(vocabJSON: URL, mergesTXT: URL) throws(TokenizerError) {
        let vocabulary = try VocabularyReading.entries(of: JSONValue.read(vocabJSON))
        let (merges, lines) = try MergesReading.read(mergesTXT)
        let model = try BPEModel(
            vocabulary: vocabulary, merges: merges, options: BPEModel.Options(), file: mergesTXT, optionsKey: "",
            mergeLocation: { "line \(lines[$0])" })
        var addedTokens: [AddedToken] = []
        if model.id(forToken: "<|endoftext|>") != nil {
            addedTokens.append(AddedToken(content: "<|endoftext|>", special: true))
        }
        self.init(
            model: model, addedTokens: addedTokens, normalizer: nil,
            preTokenizer: ByteLevelPreTokenizer(addPrefixSpace: false, useRegex: true), decoder: .byteLevel)
    }
}
