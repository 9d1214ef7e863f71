import Foundation

/// A BPE tokenizer that runs the pipeline of a Hugging Face `tokenizer.json` and produces the
/// same ids and text as Hugging Face `tokenizers` for the same files.
///
/// Two families of files are covered:
/// - byte-level BPE (GPT-2, GPT-NeoX/Pythia, Llama 3, Qwen2): a `ByteLevel` pre-tokenizer step
///   spells every byte of a piece with a ``ByteLevel`` scalar before the model sees it;
/// - SentencePiece-style BPE (Llama 2, Mistral): spaces become `▁` (by a `Prepend` + `Replace`
///   normalizer or a `Metaspace` pre-tokenizer), and characters outside the vocabulary fall
///   back to `<0xNN>` byte tokens.
///
/// Encoding runs: added tokens such as `<|endoftext|>` are found in the raw text (longest
/// match first) and emitted whole; the text between them is normalized, split by the
/// pre-tokenizer and merged by the ``BPEModel``, piece by piece (results per piece are
/// cached); the post-processor then adds its special tokens, such as Llama's beginning of text.
///
/// The value is immutable and `Sendable`; encode and decode from as many tasks as you like.
struct BPETokenizer: Tokenizer {
    /// The BPE model: vocabulary and merges.
    let model: BPEModel
    /// The pre-tokenizer that splits text into pieces, if any (without one, each stretch of
    /// text between added tokens is one piece).
    let preTokenizer: (any PreTokenizer)?
    /// The normalizer applied before pre-tokenisation, if any.
    let normalizer: TextNormalizer?
    /// Whether pieces are spelled with ``ByteLevel`` scalars before the model sees them
    /// (the pre-tokenizer has a `ByteLevel` step).
    let isByteLevel: Bool
    let addedVocabulary: AddedVocabulary
    /// The decoder; `nil` joins tokens with spaces, as Hugging Face does without one.
    let decoder: TokenDecoder?
    let postProcessor: PostProcessor
    /// A scanner that splits exactly as ``preTokenizer`` does without changing any byte, so it
    /// can run directly on the input.
    private let scanner: (any PieceScanner)?
    /// For each byte, the id of its one-scalar token, when the tokenizer is byte-level, every
    /// byte has one and the model adds no prefix or suffix; else empty.
    private let byteIDs: [UInt32]
    private let cache = WordCache()

    /// The id of the end-of-sequence token named by the folder's `tokenizer_config.json` (set
    /// by ``TokenizerLoader``), or else of `<|endoftext|>`.
    private(set) var endOfTextID: Int?

    init(
        model: BPEModel, addedTokens: [AddedToken], normalizer: TextNormalizer?, preTokenizer: (any PreTokenizer)?,
        decoder: TokenDecoder?, postProcessor: PostProcessor = .identity
    ) {
        self.model = model
        self.normalizer = normalizer
        self.preTokenizer = preTokenizer
        self.decoder = decoder
        self.postProcessor = postProcessor
        self.addedVocabulary = AddedVocabulary(tokens: addedTokens, model: model, normalizer: normalizer)
        let steps: [any PreTokenizer]
        if let sequence = preTokenizer as? PreTokenizerSequence {
            steps = sequence.steps
        } else {
            steps = preTokenizer.map { [$0] } ?? []
        }
        let byteLevel = steps.last as? ByteLevelPreTokenizer
        isByteLevel = byteLevel != nil
        scanner = Self.scanner(for: steps)
        var table: [UInt32] = []
        if byteLevel != nil, model.options.continuingSubwordPrefix == nil, model.options.endOfWordSuffix == nil {
            for scalar in ByteLevel.scalars {
                guard let id = model.id(for: TokenKey(String(scalar))) else {
                    table = []
                    break
                }
                table.append(id)
            }
        }
        byteIDs = table
        endOfTextID = nil
        endOfTextID = id(forToken: "<|endoftext|>")
    }

    /// The scanner equivalent to `steps`, when they only split: a scanner, optionally followed
    /// by a `ByteLevel` step that neither splits nor prepends, or a `ByteLevel` step that splits
    /// with GPT-2's pattern and prepends nothing.
    private static func scanner(for steps: [any PreTokenizer]) -> (any PieceScanner)? {
        if steps.count == 1, let byteLevel = steps[0] as? ByteLevelPreTokenizer {
            return byteLevel.useRegex && !byteLevel.addPrefixSpace ? GPT2PreTokenizer() : nil
        }
        guard let first = steps.first as? any PieceScanner else { return nil }
        if steps.count == 1 { return first }
        if steps.count == 2, let byteLevel = steps[1] as? ByteLevelPreTokenizer, !byteLevel.useRegex, !byteLevel.addPrefixSpace {
            return first
        }
        return nil
    }

    /// Makes `token` the end-of-text token when the tokenizer has it.
    mutating func adoptEndOfTextToken(_ token: String) {
        if let id = id(forToken: token) { endOfTextID = id }
    }

    // MARK: Tokenizer

    /// The number of model tokens plus the added tokens that are not model tokens.
    var vocabularySize: Int {
        model.count + addedVocabulary.countOutsideModel
    }

    /// The id of `token` (compared byte for byte): an added token's, else the model's.
    func id(forToken token: String) -> Int? {
        if let id = addedVocabulary.id(forContent: token) { return Int(id) }
        return model.id(forToken: token)
    }

    /// The token with id `id`: an added token (as the decoder sees it), else a model token.
    func token(forID id: Int) -> String? {
        guard let key = UInt32(exactly: id) else { return nil }
        return addedVocabulary.decodingForm(of: key) ?? model.tokensByID[key]
    }

    /// The ids of `text`, exactly as Hugging Face's
    /// `encode(text, add_special_tokens=addSpecialTokens).ids`.
    func encode(_ text: String, addSpecialTokens: Bool) -> [Int] {
        var ids: [Int] = []
        ids.reserveCapacity(text.utf8.count / 3)
        let bytes = Array(text.utf8)
        addedVocabulary.segments(of: bytes[...], normalizer: normalizer) { segment, atStart in
            switch segment {
            case .token(let id):
                ids.append(Int(id))
            case .text(let stretch):
                encodeStretch(stretch, atStartOfInput: atStart, into: &ids)
            }
        }
        return postProcessor.apply(to: ids, addSpecialTokens: addSpecialTokens)
    }

    /// The text of `ids`, as Hugging Face's `decode`: unknown ids are skipped, special tokens
    /// are skipped when asked, and the rest goes through the decoder.
    func decode(_ ids: [Int], skipSpecialTokens: Bool) -> String {
        var tokens: [String] = []
        tokens.reserveCapacity(ids.count)
        for id in ids {
            guard let token = token(forID: id) else { continue }
            if skipSpecialTokens && addedVocabulary.isSpecial(token) { continue }
            tokens.append(token)
        }
        guard let decoder else { return tokens.joined(separator: " ") }
        return decoder.decode(tokens)
    }

    // MARK: Encoding

    /// Pre-tokenizes a stretch of normalized text that holds no added token and appends its ids.
    private func encodeStretch(_ stretch: ArraySlice<UInt8>, atStartOfInput: Bool, into ids: inout [Int]) {
        if let scanner {
            stretch.withUnsafeBufferPointer { buffer in
                scanner.forEachPiece(in: buffer) { range in
                    encodePiece(UnsafeBufferPointer(rebasing: buffer[range]), into: &ids)
                }
            }
            return
        }
        guard let preTokenizer else {
            stretch.withUnsafeBufferPointer { encodePiece($0, into: &ids) }
            return
        }
        var pieces: [ArraySlice<UInt8>] = []
        preTokenizer.split(stretch, atStartOfInput: atStartOfInput, into: &pieces)
        for piece in pieces {
            piece.withUnsafeBufferPointer { encodePiece($0, into: &ids) }
        }
    }

    /// Appends the ids of one piece, from the cache when it can.
    private func encodePiece(_ piece: UnsafeBufferPointer<UInt8>, into ids: inout [Int]) {
        guard !piece.isEmpty else { return }
        let cacheable = piece.count < WordCache.maximumPieceLength
        let key = cacheable ? TokenKey(piece) : nil
        if let key, let cached = cache.ids(for: key) {
            for id in cached { ids.append(Int(id)) }
            return
        }
        let result = tokenizePiece(piece)
        if let key { cache.insert(result, for: key) }
        for id in result { ids.append(Int(id)) }
    }

    /// The ids of one piece of UTF-8, by the model.
    private func tokenizePiece(_ piece: UnsafeBufferPointer<UInt8>) -> [UInt32] {
        guard isByteLevel else {
            return model.tokenizeToIDs(String(decoding: piece, as: UTF8.self))
        }
        if !byteIDs.isEmpty, !model.options.ignoreMerges {
            var symbols = piece.map { byteIDs[Int($0)] }
            model.mergeAll(&symbols)
            return symbols
        }
        return model.tokenizeToIDs(ByteLevel.encode(piece))
    }
}

/// The name ``BPETokenizer`` had when it only read byte-level files; kept so that code
/// written against it still compiles.
typealias ByteLevelBPETokenizer = BPETokenizer
