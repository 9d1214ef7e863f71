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

/// Reading the parts of a `tokenizer.json`.
enum TokenizerJSON {
    /// The `type` of an object, or `nil` when it has none.
    static func type(of object: JSONCursor) throws(TokenizerError) -> (name: String, key: String)? {
        guard let type = object.optionalMember("type") else { return nil }
        return (try type.string(), type.path)
    }

    static func unsupported(_ object: JSONCursor, _ type: (name: String, key: String), supported: String) -> TokenizerError {
        .unsupported(object.file, key: type.key, value: TokenizerError.quoted(type.name), supported: supported)
    }

    /// The `model` object.
    static func bpeModel(_ object: JSONCursor) throws(TokenizerError) -> BPEModel {
        guard case .object = object.value else { throw object.mismatch(expected: "an object") }
        if let type = try type(of: object) {
            guard type.name == "BPE" else { throw unsupported(object, type, supported: "\"BPE\"") }
        } else if object.member("merges") == nil {
            throw TokenizerError.missingKey(object.file, key: object.path(ofMember: "type"))
        }
        if let dropout = object.optionalMember("dropout") {
            let value = try dropout.number()
            guard value >= 0 && value <= 1 else { throw dropout.mismatch(expected: "a probability from 0 to 1") }
            guard value == 0 else {
                throw TokenizerError.unsupported(object.file, key: dropout.path, value: dropout.value.summary, supported: "null or 0 (dropout makes encoding random)")
            }
        }
        var options = BPEModel.Options()
        options.unknownToken = try object.optionalMember("unk_token")?.string()
        options.continuingSubwordPrefix = try object.optionalMember("continuing_subword_prefix")?.string()
        options.endOfWordSuffix = try object.optionalMember("end_of_word_suffix")?.string()
        options.fuseUnknown = try object.optionalMember("fuse_unk")?.bool() ?? false
        options.byteFallback = try object.optionalMember("byte_fallback")?.bool() ?? false
        options.ignoreMerges = try object.optionalMember("ignore_merges")?.bool() ?? false

        let vocabularyObject = try object.requiredMember("vocab")
        let vocabulary = try VocabularyReading.entries(of: vocabularyObject)

        let mergesArray = try object.requiredMember("merges")
        var merges: [(String, String)] = []
        var indices: [Int] = []
        let elements = try mergesArray.elements()
        merges.reserveCapacity(elements.count)
        indices.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            switch element.value {
            case .string(let line):
                if line.hasPrefix("#version") { continue }
                guard let pair = MergesReading.pair(line) else {
                    throw element.mismatch(expected: "two tokens separated by one space")
                }
                merges.append(pair)
            case .array(let items):
                guard items.count == 2, case .string(let left) = items[0], case .string(let right) = items[1] else {
                    throw element.mismatch(expected: "a pair of token strings")
                }
                merges.append((left, right))
            default:
                throw element.mismatch(expected: "\"left right\" or [\"left\", \"right\"]")
            }
            indices.append(index)
        }
        return try BPEModel(
            vocabulary: vocabulary, merges: merges, options: options, file: object.file, optionsKey: object.path,
            mergeLocation: { mergesArray.path(ofElement: indices[$0]) })
    }

    /// The `normalizer`, or `nil` for none.
    static func normalizer(_ object: JSONCursor?) throws(TokenizerError) -> TextNormalizer? {
        guard let object, !object.isNull else { return nil }
        guard let type = try type(of: object) else {
            throw TokenizerError.missingKey(object.file, key: object.path(ofMember: "type"))
        }
        switch type.name {
        case "NFC": return .nfc
        case "NFD": return .nfd
        case "NFKC": return .nfkc
        case "NFKD": return .nfkd
        case "Sequence":
            var steps: [TextNormalizer] = []
            for step in try object.requiredMember("normalizers").elements() {
                guard let normalizer = try normalizer(step) else { throw step.mismatch(expected: "a normalizer") }
                steps.append(normalizer)
            }
            return .sequence(steps)
        default:
            throw unsupported(object, type, supported: "null, NFC, NFD, NFKC, NFKD, Sequence of those")
        }
    }

    /// The `pre_tokenizer`, which must end in a `ByteLevel` step.
    static func preTokenizer(_ object: JSONCursor?, file: URL) throws(TokenizerError) -> any PreTokenizer {
        guard let object, !object.isNull else {
            throw TokenizerError.unsupported(file, key: "pre_tokenizer", value: "null", supported: "ByteLevel, or a Sequence ending in ByteLevel")
        }
        let steps = try preTokenizerSteps(object)
        guard let last = steps.last, last is ByteLevelPreTokenizer,
            steps.dropLast().allSatisfy({ !($0 is ByteLevelPreTokenizer) })
        else {
            let found = steps.map { $0 is ByteLevelPreTokenizer ? "ByteLevel" : "Split" }.joined(separator: ", ")
            throw TokenizerError.unsupported(
                object.file, key: object.path, value: "[\(found)]",
                supported: "one ByteLevel step, last (byte-level BPE needs it, and nothing can follow it)")
        }
        return steps.count == 1 ? last : PreTokenizerSequence(steps)
    }

    private static func preTokenizerSteps(_ object: JSONCursor) throws(TokenizerError) -> [any PreTokenizer] {
        guard let type = try type(of: object) else {
            throw TokenizerError.missingKey(object.file, key: object.path(ofMember: "type"))
        }
        switch type.name {
        case "ByteLevel":
            let addPrefixSpace = try object.optionalMember("add_prefix_space")?.bool() ?? true
            let useRegex = try object.optionalMember("use_regex")?.bool() ?? true
            return [ByteLevelPreTokenizer(addPrefixSpace: addPrefixSpace, useRegex: useRegex)]
        case "Sequence":
            var steps: [any PreTokenizer] = []
            for step in try object.requiredMember("pretokenizers").elements() {
                steps.append(contentsOf: try preTokenizerSteps(step))
            }
            return steps
        case "Split":
            return [try split(object)]
        default:
            throw unsupported(object, type, supported: "ByteLevel, Sequence, Split on the GPT-2 pattern")
        }
    }

    /// A `Split` pre-tokenizer, supported when it isolates matches of a known pattern.
    private static func split(_ object: JSONCursor) throws(TokenizerError) -> any PreTokenizer {
        let pattern = try object.requiredMember("pattern")
        guard let regex = pattern.optionalMember("Regex") else {
            throw TokenizerError.unsupported(object.file, key: pattern.path, value: pattern.value.summary, supported: "{\"Regex\": the GPT-2 pattern}")
        }
        let text = try regex.string()
        guard text == GPT2PreTokenizer.pattern else {
            throw TokenizerError.unsupported(object.file, key: regex.path, value: TokenizerError.quoted(text, limit: 200), supported: "the GPT-2 pattern \(TokenizerError.quoted(GPT2PreTokenizer.pattern))")
        }
        if let behavior = object.optionalMember("behavior") {
            let name = try behavior.string()
            guard name == "Isolated" else {
                throw TokenizerError.unsupported(object.file, key: behavior.path, value: TokenizerError.quoted(name), supported: "\"Isolated\"")
            }
        }
        if let invert = object.optionalMember("invert"), try invert.bool() {
            throw TokenizerError.unsupported(object.file, key: invert.path, value: "true", supported: "false")
        }
        return GPT2PreTokenizer()
    }

    /// The `decoder`.
    static func decoder(_ object: JSONCursor?) throws(TokenizerError) -> TokenDecoder {
        guard let object, !object.isNull else { return .spaceJoined }
        guard let type = try type(of: object) else {
            throw TokenizerError.missingKey(object.file, key: object.path(ofMember: "type"))
        }
        switch type.name {
        case "ByteLevel":
            return .byteLevel
        case "Sequence":
            let steps = try object.requiredMember("decoders").elements()
            guard steps.count == 1 else {
                throw TokenizerError.unsupported(object.file, key: object.path, value: "a Sequence of \(steps.count) decoders", supported: "ByteLevel alone")
            }
            return try decoder(steps[0])
        default:
            throw unsupported(object, type, supported: "null, ByteLevel")
        }
    }

    /// Checks that the `post_processor` adds no tokens.
    static func checkPostProcessor(_ object: JSONCursor?) throws(TokenizerError) {
        guard let object, !object.isNull else { return }
        guard let type = try type(of: object) else {
            throw TokenizerError.missingKey(object.file, key: object.path(ofMember: "type"))
        }
        switch type.name {
        case "ByteLevel":
            return
        case "Sequence":
            for step in try object.requiredMember("processors").elements() { try checkPostProcessor(step) }
        default:
            throw unsupported(object, type, supported: "null, ByteLevel (post-processors that add tokens are not implemented)")
        }
    }

    /// The `added_tokens`, in file order.
    static func addedTokens(_ array: JSONCursor?) throws(TokenizerError) -> [AddedToken] {
        guard let array, !array.isNull else { return [] }
        var tokens: [AddedToken] = []
        for entry in try array.elements() {
            let content = try entry.requiredMember("content").string()
            let id = try entry.requiredMember("id")
            guard let value = UInt32(exactly: try id.integer()) else { throw id.mismatch(expected: "a token id from 0 to 4294967295") }
            _ = value  // Hugging Face assigns ids itself and only warns when they differ.
            let special = try entry.optionalMember("special")?.bool() ?? false
            tokens.append(
                AddedToken(
                    content: content, special: special,
                    singleWord: try entry.optionalMember("single_word")?.bool() ?? false,
                    lstrip: try entry.optionalMember("lstrip")?.bool() ?? false,
                    rstrip: try entry.optionalMember("rstrip")?.bool() ?? false,
                    normalized: try entry.optionalMember("normalized")?.bool() ?? !special))
        }
        return tokens
    }
}
