import Foundation
import SwiftSightReading

/// Reading the parts of a `tokenizer.json`.
enum TokenizerJSON {
    /// The `type` of an object, or `nil` when it has none.
    static func type(of object: JSONCursor) throws(TokenizerError) -> (name: String, key: String)? {
        guard let type = object.optionalMember("type") else { return nil }
        return (try type.string(), type.path)
    }

    static func unsupported(_ object: JSONCursor, _ type: (name: String, key: String), supported: String) -> TokenizerError {
        .unsupported(object.file, key: type.key, value: JSONValue.quoted(type.name), supported: supported)
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
        // An empty prefix or suffix (as Qwen2 and GPT-NeoX files write them) changes nothing.
        options.continuingSubwordPrefix = try object.optionalMember("continuing_subword_prefix")?.string().nonEmpty
        options.endOfWordSuffix = try object.optionalMember("end_of_word_suffix")?.string().nonEmpty
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

    /// The `added_tokens`, in file order.
    static func addedTokens(_ array: JSONCursor?) throws(TokenizerError) -> [AddedToken] {
        guard let array, !array.isNull else { return [] }
        var tokens: [AddedToken] = []
        for entry in try array.elements() {
            let content = try entry.requiredMember("content").string()
            // Hugging Face requires an id but assigns ids itself (see `AddedVocabulary`).
            let id = try entry.requiredMember("id")
            guard UInt32(exactly: try id.integer()) != nil else { throw id.mismatch(expected: "a token id from 0 to 4294967295") }
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

extension String {
    /// The string, or `nil` when it is empty.
    fileprivate var nonEmpty: String? { isEmpty ? nil : self }
}
