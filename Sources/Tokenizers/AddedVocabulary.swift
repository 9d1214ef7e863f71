/// The added tokens of a tokenizer with their ids, built as Hugging Face's
/// `AddedVocabulary::add_tokens` builds it.
struct AddedVocabulary: Sendable {
    /// Content to id, for every added token.
    private(set) var idsByContent: [TokenKey: UInt32] = [:]
    /// Id to token; when two contents share an id, the later token.
    private(set) var tokensByID: [UInt32: AddedToken] = [:]
    /// For `normalized` tokens whose content the normalizer changes, the normalized content.
    private(set) var normalizedContents: [UInt32: String] = [:]
    /// The contents of special tokens.
    private(set) var specialContents: Set<TokenKey> = []
    /// The number of added contents that are not in the model's vocabulary.
    private(set) var countOutsideModel = 0
    /// Matches the tokens that are not `normalized`, in raw text.
    private(set) var rawSplitter = AddedTokenSplitter(patterns: [], tokens: [:])
    /// Matches the `normalized` tokens, in normalized text.
    private(set) var normalizedSplitter = AddedTokenSplitter(patterns: [], tokens: [:])

    /// Adds `tokens` in order. A token whose content is already an added token or a model
    /// token takes that id; any other takes the next id after the model's vocabulary size.
    /// Empty contents are ignored.
    init(tokens: [AddedToken], model: BPEModel, normalizer: TextNormalizer?) {
        var nextID = UInt32(truncatingIfNeeded: model.count)
        for token in tokens where !token.content.isEmpty {
            let key = TokenKey(token.content)
            if let existing = idsByContent[key], tokensByID[existing] == token { continue }
            let id: UInt32
            if let existing = idsByContent[key] {
                id = existing
            } else if let existing = model.id(for: key) {
                id = existing
            } else {
                id = nextID
                nextID &+= 1
            }
            if token.normalized, let normalizer {
                let normalized = normalizer.normalize(token.content)
                if !normalized.utf8.elementsEqual(token.content.utf8) { normalizedContents[id] = normalized }
            }
            idsByContent[key] = id
            if token.special { specialContents.insert(key) }
            tokensByID[id] = token
        }
        countOutsideModel = idsByContent.keys.filter { model.id(for: $0) == nil }.count

        var raw: [(pattern: [UInt8], id: UInt32)] = []
        var normalized: [(pattern: [UInt8], id: UInt32)] = []
        for (id, token) in tokensByID {
            if token.normalized {
                normalized.append((Array((normalizedContents[id] ?? token.content).utf8), id))
            } else {
                raw.append((Array(token.content.utf8), id))
            }
        }
        rawSplitter = AddedTokenSplitter(patterns: raw, tokens: tokensByID)
        normalizedSplitter = AddedTokenSplitter(patterns: normalized, tokens: tokensByID)
    }

    /// The id of the added token `content`.
    func id(forContent content: String) -> UInt32? {
        idsByContent[TokenKey(content)]
    }

    /// The string that stands for added token `id` when decoding: its normalized content
    /// when the normalizer changed it, else its content.
    func decodingForm(of id: UInt32) -> String? {
        guard let token = tokensByID[id] else { return nil }
        return normalizedContents[id] ?? token.content
    }

    /// Whether `token` is the content of a special token.
    func isSpecial(_ token: String) -> Bool {
        !specialContents.isEmpty && specialContents.contains(TokenKey(token))
    }

    /// The pieces of `text`: added tokens as ids and the text between them, normalized,
    /// each with whether it starts the input.
    ///
    /// As in Hugging Face, tokens that are not `normalized` are found in the raw text first;
    /// each stretch between them is then normalized and searched for the `normalized` tokens.
    func segments(
        of text: ArraySlice<UInt8>, normalizer: TextNormalizer?,
        _ body: (_ segment: AddedTokenSplitter.Segment, _ atStartOfInput: Bool) -> Void
    ) {
        rawSplitter.split(text) { segment in
            guard case .text(let stretch) = segment else {
                body(segment, false)
                return
            }
            let rawAtStart = stretch.startIndex == text.startIndex
            if let normalizer {
                let normalized = normalizer.normalize(stretch)
                guard !normalized.isEmpty else { return }
                normalizedSplitter.split(normalized[...]) { body($0, rawAtStart && Self.startsAt(0, $0)) }
            } else {
                normalizedSplitter.split(stretch) { body($0, rawAtStart && Self.startsAt(stretch.startIndex, $0)) }
            }
        }
    }

    /// Whether `segment` is text that starts at `index`.
    private static func startsAt(_ index: Int, _ segment: AddedTokenSplitter.Segment) -> Bool {
        if case .text(let stretch) = segment { return stretch.startIndex == index }
        return false
    }
}
