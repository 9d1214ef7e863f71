/// Hugging Face's `Metaspace` pre-tokenizer, as newer Llama 2 and Mistral files use it: every
/// U+0020 space becomes the replacement scalar (`▁`), which is also prepended to the text as
/// the prepend scheme says, and the text is optionally split before each replacement.
struct MetaspacePreTokenizer: PreTokenizer, Equatable {
    /// When the replacement is prepended to a text that does not already start with it.
    enum PrependScheme: String, Sendable, Equatable {
        /// Only to the text at the very start of the input (not after an added token).
        case first
        /// To every text between added tokens.
        case always
        /// Never.
        case never
    }

    /// The scalar that stands for a space, `▁` (U+2581) in every known file.
    let replacement: Unicode.Scalar
    /// When the replacement is prepended.
    let prependScheme: PrependScheme
    /// Whether the text is split before each replacement (`split`).
    let splitsAtReplacement: Bool
    private let replacementBytes: [UInt8]

    /// A Metaspace pre-tokenizer with Hugging Face's options.
    init(replacement: Unicode.Scalar = "\u{2581}", prependScheme: PrependScheme, splitsAtReplacement: Bool) {
        self.replacement = replacement
        self.prependScheme = prependScheme
        self.splitsAtReplacement = splitsAtReplacement
        self.replacementBytes = Array(String(replacement).utf8)
    }

    /// Splits `text` as if it did not start the input.
    func split(_ text: ArraySlice<UInt8>, into pieces: inout [ArraySlice<UInt8>]) {
        split(text, atStartOfInput: false, into: &pieces)
    }

    /// Replaces spaces, prepends the replacement when the scheme says so, then splits when asked.
    func split(_ text: ArraySlice<UInt8>, atStartOfInput: Bool, into pieces: inout [ArraySlice<UInt8>]) {
        var bytes = TextNormalizer.replacing([0x20], with: replacementBytes, in: text)
        let prepends: Bool
        switch prependScheme {
        case .always: prepends = true
        case .first: prepends = atStartOfInput
        case .never: prepends = false
        }
        if prepends, !bytes.starts(with: replacementBytes) {
            bytes.insert(contentsOf: replacementBytes, at: 0)
        }
        guard !bytes.isEmpty else { return }
        guard splitsAtReplacement else {
            pieces.append(bytes[...])
            return
        }
        // `MergedWithNext`: each replacement starts a new piece.
        var start = 0
        var index = 0
        let width = replacementBytes.count
        while index + width <= bytes.count {
            if bytes[index..<(index + width)].elementsEqual(replacementBytes) {
                if index > start { pieces.append(bytes[start..<index]) }
                start = index
                index += width
            } else {
                index += 1
            }
        }
        if start < bytes.count { pieces.append(bytes[start...]) }
    }
}
