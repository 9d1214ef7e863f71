extension TokenizerJSON {
    /// The `post_processor`: null, `ByteLevel` (which adds nothing), `TemplateProcessing`, or a
    /// `Sequence` of those.
    static func postProcessor(_ object: JSONCursor?) throws(TokenizerError) -> PostProcessor {
        guard let object, !object.isNull else { return .identity }
        guard let type = try type(of: object) else {
            throw TokenizerError.missingKey(object.file, key: object.path(ofMember: "type"))
        }
        switch type.name {
        case "ByteLevel":
            return .identity
        case "TemplateProcessing":
            return try template(object)
        case "Sequence":
            var result = PostProcessor.identity
            for step in try object.requiredMember("processors").elements() {
                result = result.followed(by: try postProcessor(step))
            }
            return result
        default:
            throw unsupported(object, type, supported: "null, ByteLevel, TemplateProcessing, Sequence of those")
        }
    }

    /// The `single` template of a `TemplateProcessing`, with the ids of its special tokens.
    private static func template(_ object: JSONCursor) throws(TokenizerError) -> PostProcessor {
        let specialTokens = try object.requiredMember("special_tokens")
        var parts: [PostProcessor.Part] = []
        for piece in try object.requiredMember("single").elements() {
            if let sequence = piece.member("Sequence") {
                let id = try sequence.requiredMember("id")
                guard try id.string() == "A" else {
                    throw TokenizerError.unsupported(object.file, key: id.path, value: id.value.summary, supported: "\"A\" (a single text has no B)")
                }
                parts.append(.text)
            } else if let special = piece.member("SpecialToken") {
                let id = try special.requiredMember("id")
                let name = try id.string()
                guard let entry = specialTokens.member(name) else {
                    throw id.mismatch(expected: "a key of \(specialTokens.path)")
                }
                var ids: [UInt32] = []
                for element in try entry.requiredMember("ids").elements() {
                    guard let value = UInt32(exactly: try element.integer()) else {
                        throw element.mismatch(expected: "a token id from 0 to 4294967295")
                    }
                    ids.append(value)
                }
                parts.append(.specialTokens(ids))
            } else {
                throw piece.mismatch(expected: "{\"Sequence\": …} or {\"SpecialToken\": …}")
            }
        }
        return PostProcessor(parts: parts)
    }
}
