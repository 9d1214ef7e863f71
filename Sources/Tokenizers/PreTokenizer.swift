/// Splits text into the pieces ("words") that the BPE model then tokenizes one at a time;
/// no token ever spans two pieces.
///
/// Pieces are UTF-8 bytes on scalar boundaries. A pre-tokenizer may also change the bytes of
/// a piece (``ByteLevelPreTokenizer`` can prepend a space), which is why pieces are slices
/// that need not share storage with the input.
protocol PreTokenizer: Sendable {
    /// Appends the non-empty pieces of `text` to `pieces`, in order.
    /// - Parameter text: Non-empty, well-formed UTF-8.
    func split(_ text: ArraySlice<UInt8>, into pieces: inout [ArraySlice<UInt8>])

    /// Appends the non-empty pieces of `text` to `pieces`, knowing whether `text` starts the
    /// input (Hugging Face's `offsets_original().0 == 0`), which ``MetaspacePreTokenizer``
    /// needs for its `first` prepend scheme. The default ignores it.
    func split(_ text: ArraySlice<UInt8>, atStartOfInput: Bool, into pieces: inout [ArraySlice<UInt8>])
}

extension PreTokenizer {
    /// Splits as ``split(_:into:)``, wherever `text` is.
    func split(_ text: ArraySlice<UInt8>, atStartOfInput: Bool, into pieces: inout [ArraySlice<UInt8>]) {
        split(text, into: &pieces)
    }

    /// The pieces of `text`, as strings (for inspection and tests).
    func pieces(of text: String) -> [String] {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return [] }
        var pieces: [ArraySlice<UInt8>] = []
        split(bytes[...], atStartOfInput: true, into: &pieces)
        return pieces.map { String(decoding: $0, as: UTF8.self) }
    }
}

/// Several pre-tokenizers applied in turn, each to every piece of the one before
/// (Hugging Face's `Sequence` pre-tokenizer).
struct PreTokenizerSequence: PreTokenizer {
    /// The steps, first applied first.
    let steps: [any PreTokenizer]

    /// A sequence of `steps`.
    init(_ steps: [any PreTokenizer]) {
        self.steps = steps
    }

    /// Applies each step in turn to every piece of the previous one.
    func split(_ text: ArraySlice<UInt8>, into pieces: inout [ArraySlice<UInt8>]) {
        split(text, atStartOfInput: false, into: &pieces)
    }

    /// Applies each step in turn to every piece of the previous one; only the first piece
    /// of each step can start the input.
    func split(_ text: ArraySlice<UInt8>, atStartOfInput: Bool, into pieces: inout [ArraySlice<UInt8>]) {
        var current: [ArraySlice<UInt8>] = [text]
        for step in steps {
            var next: [ArraySlice<UInt8>] = []
            next.reserveCapacity(current.count)
            for (index, piece) in current.enumerated() where !piece.isEmpty {
                step.split(piece, atStartOfInput: atStartOfInput && index == 0, into: &next)
            }
            current = next
        }
        pieces.append(contentsOf: current.lazy.filter { !$0.isEmpty })
    }
}

/// Hugging Face's `ByteLevel` pre-tokenizer: optionally prepends a space to each piece that
/// does not start with one, then optionally splits it with the GPT-2 pattern.
///
/// The mapping of bytes to printable scalars that this pre-tokenizer also stands for is done
/// by ``BPETokenizer`` when it hands a piece to the model.
struct ByteLevelPreTokenizer: PreTokenizer {
    /// Whether a space is prepended to pieces that do not start with one (`add_prefix_space`).
    let addPrefixSpace: Bool
    /// Whether pieces are split with ``GPT2PreTokenizer`` (`use_regex`).
    let useRegex: Bool

    /// A byte-level pre-tokenizer with Hugging Face's options.
    init(addPrefixSpace: Bool, useRegex: Bool) {
        self.addPrefixSpace = addPrefixSpace
        self.useRegex = useRegex
    }

    /// Prepends a space when asked, then splits with GPT-2's pattern when asked.
    func split(_ text: ArraySlice<UInt8>, into pieces: inout [ArraySlice<UInt8>]) {
        var text = text
        if addPrefixSpace, text.first != UInt8(ascii: " ") {
            text = ([UInt8(ascii: " ")] + text)[...]
        }
        if useRegex {
            GPT2PreTokenizer().split(text, into: &pieces)
        } else if !text.isEmpty {
            pieces.append(text)
        }
    }
}
