import Foundation

extension ByteLevelBPETokenizer {
    /// Loads a GPT-2 tokenizer from `vocab.json` and `merges.txt`, as GPT-2's files were
    /// published before `tokenizer.json` existed.
    ///
    /// The tokenizer splits with GPT-2's pattern without a prefix space and decodes byte-level.
    /// `merges.txt` may start with a `#version` line; blank lines are skipped. When the
    /// vocabulary has `<|endoftext|>`, it becomes an added special token.
    /// - Throws: ``TokenizerError`` naming the file and the key or line at fault.
    public init(vocabJSON: URL, mergesTXT: URL) throws(TokenizerError) {
        let vocabulary = try VocabularyReading.entries(of: JSONValue.read(vocabJSON))
        let (merges, lines) = try MergesReading.read(mergesTXT)
        let model = try BPEModel(
            vocabulary: vocabulary, merges: merges, options: BPEModel.Options(), file: mergesTXT, optionsKey: "",
            mergeLocation: { "line \(lines[$0])" })
        var addedTokens: [AddedToken] = []
        if model.id(forToken: "<|endoftext|>") != nil {
            addedTokens.append(AddedToken(content: "<|endoftext|>", special: true))
        }
        self.init(
            model: model, addedTokens: addedTokens, normalizer: nil,
            preTokenizer: ByteLevelPreTokenizer(addPrefixSpace: false, useRegex: true), decoder: .byteLevel)
    }
}

/// Reading a vocabulary object: token to id.
enum VocabularyReading {
    /// The entries of `object`, in file order.
    static func entries(of object: JSONCursor) throws(TokenizerError) -> [(token: String, id: UInt32)] {
        let members = try object.members()
        var entries: [(token: String, id: UInt32)] = []
        entries.reserveCapacity(members.count)
        for member in members {
            guard case .integer(let number) = member.value, let id = UInt32(exactly: number) else {
                throw TokenizerError.invalidValue(
                    object.file, key: object.path(ofMember: member.key), expected: "a token id from 0 to 4294967295",
                    found: member.value.summary)
            }
            entries.append((member.key, id))
        }
        return entries
    }
}

/// Reading merges written as `left right` lines.
enum MergesReading {
    /// `line` split at its one space, or `nil` when it does not have exactly one.
    static func pair(_ line: String) -> (String, String)? {
        let parts = line.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        return (String(parts[0]), String(parts[1]))
    }

    /// The merges of a `merges.txt` and the 1-based line number of each.
    static func read(_ file: URL) throws(TokenizerError) -> (merges: [(String, String)], lines: [Int]) {
        let bytes = try FileBytes.read(file)
        if let bad = UTF8Validation.firstInvalidOffset(in: bytes) {
            let (line, _) = FileBytes.lineAndColumn(of: bad, in: bytes)
            throw TokenizerError.unreadableFile(file, reason: "line \(line) is not valid UTF-8")
        }
        var merges: [(String, String)] = []
        var lines: [Int] = []
        var lineNumber = 0
        for rawLine in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
            lineNumber += 1
            var line = rawLine
            if line.last == 0x0D { line = line.dropLast() }
            if line.isEmpty || line.starts(with: Array("#version".utf8)) { continue }
            let text = String(decoding: line, as: UTF8.self)
            guard let pair = pair(text) else {
                throw TokenizerError.malformedMergesLine(file, line: lineNumber, content: text)
            }
            merges.append(pair)
            lines.append(lineNumber)
        }
        return (merges, lines)
    }
}
