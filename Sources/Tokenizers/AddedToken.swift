/// A token that is matched in the raw text before pre-tokenisation and emitted whole, such
/// as `<|endoftext|>`: one entry of `added_tokens` in a `tokenizer.json`.
struct AddedToken: Sendable, Equatable {
    /// The text that is matched.
    var content: String
    /// Whether this is a special token, which ``Tokenizer/decode(_:skipSpecialTokens:)`` can
    /// leave out.
    var special: Bool
    /// Whether the token only matches where it is not next to a word character on either side.
    var singleWord: Bool
    /// Whether whitespace just before a match is taken into the token.
    var lstrip: Bool
    /// Whether whitespace just after a match is taken into the token.
    var rstrip: Bool
    /// Whether the token is matched in normalized text rather than in the raw text.
    var normalized: Bool

    /// An added token with Hugging Face's defaults: special tokens are not normalized,
    /// others are.
    init(
        content: String, special: Bool, singleWord: Bool = false, lstrip: Bool = false, rstrip: Bool = false,
        normalized: Bool? = nil
    ) {
        self.content = content
        self.special = special
        self.singleWord = singleWord
        self.lstrip = lstrip
        self.rstrip = rstrip
        self.normalized = normalized ?? !special
    }
}
