import Foundation
import SwiftSightReading

extension BPETokenizer {
    /// Loads a BPE tokenizer from a Hugging Face `tokenizer.json`.
    ///
    /// Supported:
    /// - `model`: `BPE` (merges as `"a b"` strings or `["a", "b"]` pairs, without dropout), with
    ///   `unk_token`, `fuse_unk`, `byte_fallback`, `ignore_merges`, `continuing_subword_prefix`
    ///   and `end_of_word_suffix`;
    /// - `normalizer`: none, NFC, NFD, NFKC, NFKD, `Prepend`, `Replace` of a string, or a
    ///   `Sequence` of those;
    /// - `pre_tokenizer`: none, `ByteLevel`, `Metaspace`, `Split` on the GPT-2, Llama 3 or Qwen2
    ///   pattern, or a `Sequence` of those with any `ByteLevel` step last;
    /// - `post_processor`: none, `ByteLevel`, `TemplateProcessing` (its `single` template), or a
    ///   `Sequence` of those;
    /// - `decoder`: none, `ByteLevel`, `Replace` of a string, `ByteFallback`, `Fuse`, `Strip`,
    ///   `Metaspace`, or a `Sequence` of those;
    /// - `added_tokens` with all their flags. `truncation` and `padding` are ignored.
    /// - Throws: ``TokenizerError`` naming the file and the key at fault, including for
    ///   anything above that is not supported.
    init(tokenizerJSON: URL) throws(TokenizerError) {
        let root = try JSONValue.read(tokenizerJSON)
        guard case .object = root.value else { throw root.mismatch(expected: "an object") }
        if let version = root.optionalMember("version") {
            let text = try version.string()
            guard text == "1.0" else {
                throw TokenizerError.unsupported(tokenizerJSON, key: version.path, value: JSONValue.quoted(text), supported: "\"1.0\"")
            }
        }
        let modelObject = try root.requiredMember("model")
        let model = try TokenizerJSON.bpeModel(modelObject)
        let normalizer = try TokenizerJSON.normalizer(root.member("normalizer"))
        let preTokenizer = try TokenizerJSON.preTokenizer(root.member("pre_tokenizer"))
        let decoder = try TokenizerJSON.decoder(root.member("decoder"))
        let postProcessor = try TokenizerJSON.postProcessor(root.member("post_processor"))
        let addedTokens = try TokenizerJSON.addedTokens(root.member("added_tokens"))
        self.init(
            model: model, addedTokens: addedTokens, normalizer: normalizer, preTokenizer: preTokenizer, decoder: decoder,
            postProcessor: postProcessor)
    }
}
