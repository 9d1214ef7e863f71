import Foundation

/// A GPT-2-style byte-level BPE tokenizer that produces the same ids as Hugging Face
/// `tokenizers` for the same files.
///
/// Encoding runs: added tokens such as `<|endoftext|>` are found in the raw text (longest
/// match first) and emitted whole; the text between them is normalized (when the file asks
/// for it), split by the pre-tokenizer (GPT-2's pattern), each piece spelled with
/// ``ByteLevel`` scalars and merged by the ``BPEModel``. Results per piece are cached.
///
/// The value is immutable and `Sendable`; encode and decode from as many tasks as you like.
public struct ByteLevelBPETokenizer: Tokenizer {
    /// The BPE model: vocabulary and merges.
    public let model: BPEModel
    /// The pre-tokenizer that splits text into pieces.
    public let preTokenizer: any PreTokenizer
    /// The normalizer applied before pre-tokenisation, if any.
    public let normalizer: TextNormalizer?
    let addedVocabulary: AddedVocabulary
    let decoder: TokenDecoder
    /// Whether ``preTokenizer`` is exactly GPT-2's pattern with nothing prepended, so the
    /// scanner can be run directly on the input.
    private let splitsLikeGPT2: Bool
    /// For each byte, the id of its one-scalar token, when every byte has one and the model
    /// adds no prefix or suffix; else empty.
    private let byteIDs: [UInt32]
    private let cache = WordCache()

    /// The id of `<|endoftext|>`, or else of the end-of-sequence token named by the folder's
    /// `tokenizer_config.json` (set by ``TokenizerLoader``).
    public private(set) var endOfTextID: Int?

    init(
        model: BPEModel, addedTokens: [AddedToken], normalizer: TextNormalizer?, preTokenizer: any PreTokenizer,
        decoder: TokenDecoder
    ) {
        self.model = model
        self.normalizer = normalizer
        self.preTokenizer = preTokenizer
        self.decoder = decoder
        self.addedVocabulary = AddedVocabulary(tokens: addedTokens, model: model, normalizer: normalizer)
        if let byteLevel = preTokenizer as? ByteLevelPreTokenizer {
            splitsLikeGPT2 = byteLevel.useRegex && !byteLevel.addPrefixSpace
        } else if let sequence = preTokenizer as? PreTokenizerSequence, sequence.steps.count == 2,
            sequence.steps[0] is GPT2PreTokenizer, let byteLevel = sequence.steps[1] as? ByteLevelPreTokenizer
        {
            splitsLikeGPT2 = !byteLevel.useRegex && !byteLevel.addPrefixSpace
        } else {
            splitsLikeGPT2 = preTokenizer is GPT2PreTokenizer
        }
        var table: [UInt32] = []
        if model.options.continuingSubwordPrefix == nil, model.options.endOfWordSuffix == nil {
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

    /// Makes `token` the end-of-text token when there is no `<|endoftext|>`.
    mutating func adoptEndOfTextToken(_ token: String) {
        if endOfTextID == nil { endOfTextID = id(forToken: token) }
    }

    // MARK: Tokenizer

    /// The number of model tokens plus the added tokens that are not model tokens.
    public var vocabularySize: Int {
        model.count + addedVocabulary.countOutsideModel
    }

    /// The id of `token` (compared byte for byte): an added token's, else the model's.
    public func id(forToken token: String) -> Int? {
        if let id = addedVocabulary.id(forContent: token) { return Int(id) }
        return model.id(forToken: token)
    }

    /// The token with id `id`: an added token (as the decoder sees it), else a model token.
    public func token(forID id: Int) -> String? {
        guard let key = UInt32(exactly: id) else { return nil }
        return addedVocabulary.decodingForm(of: key) ?? model.tokensByID[key]
    }

    /// The ids of `text`, exactly as Hugging Face's `encode(text).ids`.
    public func encode(_ text: String) -> [Int] {
        var ids: [Int] = []
        ids.reserveCapacity(text.utf8.count / 3)
        let bytes = Array(text.utf8)
        addedVocabulary.segments(of: bytes[...], normalizer: normalizer) { segment in
            switch segment {
            case .token(let id):
                ids.append(Int(id))
            case .text(let stretch):
                encodeStretch(stretch, into: &ids)
            }
        }
        return ids
    }

    /// The text of `ids`, as Hugging Face's `decode`: unknown ids are skipped, special tokens
    /// are skipped when asked, and ill-formed UTF-8 becomes U+FFFD.
    public func decode(_ ids: [Int], skipSpecialTokens: Bool) -> String {
        var tokens: [String] = []
        tokens.reserveCapacity(ids.count)
        for id in ids {
            guard let token = token(forID: id) else { continue }
            if skipSpecialTokens && addedVocabulary.isSpecial(token) { continue }
            tokens.append(token)
        }
        return decoder.decode(tokens)
    }

    // MARK: Encoding

    /// Pre-tokenizes a stretch of text that holds no added token and appends its ids.
    private func encodeStretch(_ stretch: ArraySlice<UInt8>, into ids: inout [Int]) {
        if splitsLikeGPT2 {
            stretch.withUnsafeBufferPointer { buffer in
                GPT2PreTokenizer().forEachPiece(in: buffer) { range in
                    encodePiece(UnsafeBufferPointer(rebasing: buffer[range]), into: &ids)
                }
            }
            return
        }
        var pieces: [ArraySlice<UInt8>] = []
        preTokenizer.split(stretch, into: &pieces)
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

    /// The ids of one piece of raw UTF-8, by the model.
    private func tokenizePiece(_ piece: UnsafeBufferPointer<UInt8>) -> [UInt32] {
        if !byteIDs.isEmpty, !model.options.ignoreMerges {
            var symbols = piece.map { byteIDs[Int($0)] }
            model.mergeAll(&symbols)
            return symbols
        }
        return model.tokenizeToIDs(ByteLevel.encode(piece))
    }
}
