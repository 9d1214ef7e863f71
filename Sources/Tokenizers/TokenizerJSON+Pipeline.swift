import Foundation

extension TokenizerJSON {
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
}
