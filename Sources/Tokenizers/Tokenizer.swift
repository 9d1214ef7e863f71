/// Turns text into token ids and token ids back into text.
///
/// Conforming types are immutable values that can be shared freely between tasks: every method
/// may be called concurrently.
public protocol Tokenizer: Sendable {
    /// Splits `text` into token ids, exactly as Hugging Face `tokenizers` does with
    /// `encode(text, add_special_tokens=addSpecialTokens).ids` for the same tokenizer files.
    ///
    /// Special tokens are the ones the file's post-processor adds around every text, such as
    /// Llama's beginning-of-text token; GPT-2-style files add none, so there the flag changes
    /// nothing. Added tokens written in `text` itself are always recognised.
    func encode(_ text: String, addSpecialTokens: Bool) -> [Int]

    /// Turns `ids` back into text.
    ///
    /// Ids that name no token are left out. Byte sequences that are not valid UTF-8 become
    /// U+FFFD, as in Hugging Face's `decode`.
    /// - Parameters:
    ///   - ids: Token ids, as returned by ``encode(_:addSpecialTokens:)``.
    ///   - skipSpecialTokens: Leaves out special tokens such as `<|endoftext|>` when true.
    func decode(_ ids: [Int], skipSpecialTokens: Bool) -> String

    /// The number of distinct tokens: the model's vocabulary plus any added tokens not in it.
    var vocabularySize: Int { get }

    /// The id of `token`, written as it appears in the vocabulary (for byte-level BPE, with
    /// `Ġ` for a leading space), or `nil` when the tokenizer has no such token.
    func id(forToken token: String) -> Int?

    /// The token with id `id`, as written in the vocabulary, or `nil` when no token has that id.
    func token(forID id: Int) -> String?

    /// The id of the end-of-sequence token when it is known (named by the folder's
    /// `tokenizer_config.json`), or else of `<|endoftext|>`; `nil` when neither is.
    var endOfTextID: Int? { get }
}

extension Tokenizer {
    /// Splits `text` into token ids with special tokens added, as Hugging Face's default
    /// `encode(text).ids` (and a model's tokenizer call) does.
    public func encode(_ text: String) -> [Int] {
        encode(text, addSpecialTokens: true)
    }

    /// Turns `ids` back into text, special tokens included.
    public func decode(_ ids: [Int]) -> String {
        decode(ids, skipSpecialTokens: false)
    }
}
