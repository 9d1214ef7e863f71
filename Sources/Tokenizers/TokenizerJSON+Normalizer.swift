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
        case "Prepend":
            return .prepend(try object.requiredMember("prepend").string())
        case "Replace":
            let (pattern, content) = try stringReplacement(object)
            return .replace(pattern: pattern, content: content)
        case "Sequence":
            var steps: [TextNormalizer] = []
            for step in try object.requiredMember("normalizers").elements() {
                guard let normalizer = try normalizer(step) else { throw step.mismatch(expected: "a normalizer") }
                steps.append(normalizer)
            }
            return .sequence(steps)
        default:
            throw unsupported(object, type, supported: "null, NFC, NFD, NFKC, NFKD, Prepend, Replace of a string, Sequence of those")
        }
    }

    /// The `pattern` (a non-empty `{"String": …}`) and `content` of a `Replace` normalizer or
    /// decoder.
    static func stringReplacement(_ object: JSONCursor) throws(TokenizerError) -> (pattern: String, content: String) {
        let pattern = try object.requiredMember("pattern")
        guard let string = pattern.optionalMember("String") else {
            throw TokenizerError.unsupported(
                object.file, key: pattern.path, value: pattern.value.summary, supported: "{\"String\": a non-empty string}")
        }
        let text = try string.string()
        guard !text.isEmpty else { throw string.mismatch(expected: "a non-empty string") }
        return (text, try object.requiredMember("content").string())
    }
}
