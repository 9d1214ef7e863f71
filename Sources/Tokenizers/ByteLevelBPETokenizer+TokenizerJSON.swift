import Foundation

extension ByteLevelBPETokenizer {
    /// Loads a byte-level BPE tokenizer from a Hugging Face `tokenizer.json`.
    ///
    /// Supported: a `BPE` model (merges as `"a b"` strings or `["a", "b"]` pairs, without
    /// dropout); a `ByteLevel` pre-tokenizer, alone or last in a `Sequence` after a `Split` on
    /// GPT-2's pattern; a `ByteLevel` decoder (or none); an NFC/NFD/NFKC/NFKD normalizer (or
    /// none); a `ByteLevel` post-processor (or none), which adds no tokens; and `added_tokens`
    /// with all their flags. `truncation` and `padding` are ignored.
    /// - Throws: ``TokenizerError`` naming the file and the key at fault, including for
    ///   anything above that is not supported.
    public init(tokenizerJSON: URL) throws(TokenizerError) {
        let root = try JSONValue.read(tokenizerJSON)
        guard case .object = root.value else { throw root.mismatch(expected: "an object") }
        if let version = root.optionalMember("version") {
            let text = try version.string()
            guard text == "1.0" else {
                throw TokenizerError.unsupported(tokenizerJSON, key: version.path, value: TokenizerError.quoted(text), supported: "\"1.0\"")
            }
        }
        let modelObject = try root.requiredMember("model")
        let model = try TokenizerJSON.bpeModel(modelObject)
        let normalizer = try TokenizerJSON.normalizer(root.member("normalizer"))
        let preTokenizer = try TokenizerJSON.preTokenizer(root.member("pre_tokenizer"), file: tokenizerJSON)
        let decoder = try TokenizerJSON.decoder(root.member("decoder"))
        try TokenizerJSON.checkPostProcessor(root.member("post_processor"))
        let addedTokens = try TokenizerJSON.addedTokens(root.member("added_tokens"))
        self.init(model: model, addedTokens: addedTokens, normalizer: normalizer, preTokenizer: preTokenizer, decoder: decoder)
    }
}
