import SwiftSightReading

extension TokenizerJSON {
    /// The `pre_tokenizer`, or `nil` for none. A `ByteLevel` step, when there is one, must be
    /// the only one and the last.
    static func preTokenizer(_ object: JSONCursor?) throws(TokenizerError) -> (any PreTokenizer)? {
        guard let object, !object.isNull else { return nil }
        let steps = try preTokenizerSteps(object)
        let byteLevelCount = steps.filter { $0 is ByteLevelPreTokenizer }.count
        if byteLevelCount > 1 || (byteLevelCount == 1 && !(steps.last is ByteLevelPreTokenizer)) {
            let found = steps.map(stepName).joined(separator: ", ")
            throw TokenizerError.unsupported(
                object.file, key: object.path, value: "[\(found)]",
                supported: "at most one ByteLevel step, last (byte-level BPE needs it, and nothing can follow it)")
        }
        if steps.count == 1, let only = steps.first { return only }
        return PreTokenizerSequence(steps)
    }

    private static func stepName(_ step: any PreTokenizer) -> String {
        switch step {
        case is ByteLevelPreTokenizer: return "ByteLevel"
        case is MetaspacePreTokenizer: return "Metaspace"
        default: return "Split"
        }
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
        case "Metaspace":
            let (replacement, scheme) = try metaspaceOptions(object)
            let split = try object.optionalMember("split")?.bool() ?? true
            return [MetaspacePreTokenizer(replacement: replacement, prependScheme: scheme, splitsAtReplacement: split)]
        case "Sequence":
            var steps: [any PreTokenizer] = []
            for step in try object.requiredMember("pretokenizers").elements() {
                steps.append(contentsOf: try preTokenizerSteps(step))
            }
            return steps
        case "Split":
            return [try split(object)]
        default:
            throw unsupported(object, type, supported: "ByteLevel, Metaspace, Sequence, Split on the GPT-2, Llama 3 or Qwen2 pattern")
        }
    }

    /// The `replacement` and prepend scheme of a `Metaspace` pre-tokenizer or decoder, read as
    /// Hugging Face reads them: `prepend_scheme` defaults to `always`, and the older
    /// `add_prefix_space: false` means `never`.
    static func metaspaceOptions(_ object: JSONCursor) throws(TokenizerError) -> (Unicode.Scalar, MetaspacePreTokenizer.PrependScheme) {
        let replacementCursor = try object.requiredMember("replacement")
        let replacementText = try replacementCursor.string()
        guard replacementText.unicodeScalars.count == 1, let replacement = replacementText.unicodeScalars.first else {
            throw replacementCursor.mismatch(expected: "one character")
        }
        var scheme = MetaspacePreTokenizer.PrependScheme.always
        if let schemeCursor = object.optionalMember("prepend_scheme") {
            let name = try schemeCursor.string()
            guard let parsed = MetaspacePreTokenizer.PrependScheme(rawValue: name) else {
                throw schemeCursor.mismatch(expected: "\"first\", \"always\" or \"never\"")
            }
            scheme = parsed
        }
        if let addPrefixSpace = object.optionalMember("add_prefix_space"), try !addPrefixSpace.bool() {
            guard object.optionalMember("prepend_scheme") == nil || scheme == .never else {
                throw addPrefixSpace.mismatch(expected: "true, or a prepend_scheme of \"never\" (they disagree)")
            }
            scheme = .never
        }
        return (replacement, scheme)
    }

    /// A `Split` pre-tokenizer, supported when it isolates matches of a known pattern.
    private static func split(_ object: JSONCursor) throws(TokenizerError) -> any PreTokenizer {
        let pattern = try object.requiredMember("pattern")
        let known = "the GPT-2, Llama 3 or Qwen2 pattern"
        guard let regex = pattern.optionalMember("Regex") else {
            throw TokenizerError.unsupported(object.file, key: pattern.path, value: pattern.value.summary, supported: "{\"Regex\": \(known)}")
        }
        let text = try regex.string()
        let scanner: any PieceScanner
        switch text {
        case GPT2PreTokenizer.pattern: scanner = GPT2PreTokenizer()
        case Llama3PreTokenizer.llama3Pattern: scanner = Llama3PreTokenizer.llama3
        case Llama3PreTokenizer.qwen2Pattern: scanner = Llama3PreTokenizer.qwen2
        default:
            throw TokenizerError.unsupported(object.file, key: regex.path, value: JSONValue.quoted(text, limit: 200), supported: known)
        }
        if let behavior = object.optionalMember("behavior") {
            let name = try behavior.string()
            guard name == "Isolated" else {
                throw TokenizerError.unsupported(object.file, key: behavior.path, value: JSONValue.quoted(name), supported: "\"Isolated\"")
            }
        }
        if let invert = object.optionalMember("invert"), try invert.bool() {
            throw TokenizerError.unsupported(object.file, key: invert.path, value: "true", supported: "false")
        }
        return scanner
    }
}
