extension TokenizerJSON {
    /// The `decoder`, or `nil` for none (Hugging Face then joins tokens with spaces).
    static func decoder(_ object: JSONCursor?) throws(TokenizerError) -> TokenDecoder? {
        guard let object, !object.isNull else { return nil }
        guard let type = try type(of: object) else {
            throw TokenizerError.missingKey(object.file, key: object.path(ofMember: "type"))
        }
        switch type.name {
        case "ByteLevel":
            return .byteLevel
        case "Replace":
            let (pattern, content) = try stringReplacement(object)
            return .replace(pattern: pattern, content: content)
        case "ByteFallback":
            return .byteFallback
        case "Fuse":
            return .fuse
        case "Strip":
            let contentCursor = try object.requiredMember("content")
            let content = try contentCursor.string()
            guard content.unicodeScalars.count == 1, let scalar = content.unicodeScalars.first else {
                throw contentCursor.mismatch(expected: "one character")
            }
            return .strip(content: scalar, start: try count(object.requiredMember("start")), stop: try count(object.requiredMember("stop")))
        case "Metaspace":
            let (replacement, scheme) = try metaspaceOptions(object)
            return .metaspace(replacement: replacement, prependsToFirst: scheme != .never)
        case "Sequence":
            var steps: [TokenDecoder] = []
            for step in try object.requiredMember("decoders").elements() {
                guard let decoder = try decoder(step) else { throw step.mismatch(expected: "a decoder") }
                steps.append(decoder)
            }
            return .sequence(steps)
        default:
            throw unsupported(object, type, supported: "null, ByteLevel, Replace of a string, ByteFallback, Fuse, Strip, Metaspace, Sequence of those")
        }
    }

    /// A non-negative integer.
    private static func count(_ cursor: JSONCursor) throws(TokenizerError) -> Int {
        let value = try cursor.integer()
        guard value >= 0 else { throw cursor.mismatch(expected: "a count of 0 or more") }
        return value
    }
}
