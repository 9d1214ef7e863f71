import Foundation
import Testing

@testable import SwiftSightTokenizers

/// Bad input gives a typed error whose message names the file and the key or line at fault.
@Suite("Loading errors")
struct LoadingErrorTests {
    /// The error thrown by `body`, which must throw.
    func error(_ body: () throws -> Void) -> TokenizerError? {
        do {
            try body()
            return nil
        } catch let error as TokenizerError {
            return error
        } catch {
            Issue.record("untyped error \(error)")
            return nil
        }
    }

    func tokenizerJSONError(_ json: String) throws -> (TokenizerError?, URL) {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let file = try folder.write("tokenizer.json", json)
        return (error { _ = try BPETokenizer(tokenizerJSON: file) }, file)
    }

    /// A `tokenizer.json` text with `replacement` swapped in for `original`.
    func mini(_ original: String, _ replacement: String) -> String {
        MiniTokenizer.json().replacingOccurrences(of: original, with: replacement)
    }

    @Test("A missing file")
    func missingFile() {
        let file = URL(fileURLWithPath: "/nonexistent/tokenizer.json")
        let thrown = error { _ = try BPETokenizer(tokenizerJSON: file) }
        #expect(thrown == .missingFile(file))
        #expect(thrown?.description.contains("/nonexistent/tokenizer.json") == true)
    }

    @Test("Invalid JSON gives its line and column")
    func invalidJSON() throws {
        let (thrown, file) = try tokenizerJSONError("{\n  \"model\": [1, 2,,]\n}")
        guard case .invalidJSON(let url, let line, let column, _) = thrown else {
            Issue.record("got \(String(describing: thrown))")
            return
        }
        #expect(url == file)
        #expect(line == 2)
        #expect(column == 18)
        #expect(thrown?.description.contains("line 2, column 18") == true)
        #expect(thrown?.description.contains(file.path) == true)
    }

    @Test("A model that is not BPE")
    func notBPE() throws {
        let (thrown, file) = try tokenizerJSONError(mini(#""type":"BPE""#, #""type":"WordPiece""#))
        #expect(thrown == .unsupported(file, key: "model.type", value: "\"WordPiece\"", supported: "\"BPE\""))
        #expect(thrown?.description.contains("model.type is \"WordPiece\"") == true)
    }

    @Test("An unsupported pre-tokenizer is named", arguments: [
        (#"{"type":"Whitespace"}"#, "pre_tokenizer.type", "\"Whitespace\""),
        (#"{"type":"Sequence","pretokenizers":[{"type":"Split","pattern":{"Regex":"\\s+"},"behavior":"Isolated","invert":false},{"type":"ByteLevel"}]}"#,
         "pre_tokenizer.pretokenizers[0].pattern.Regex", "\"\\\\s+\""),
        (#"{"type":"Sequence","pretokenizers":[{"type":"ByteLevel"},{"type":"ByteLevel"}]}"#, "pre_tokenizer", "[ByteLevel, ByteLevel]"),
    ])
    func unsupportedPreTokenizer(_ preTokenizer: String, _ key: String, _ value: String) throws {
        let json = MiniTokenizer.json(preTokenizer: ["PLACEHOLDER": true])
            .replacingOccurrences(of: #"{"PLACEHOLDER":true}"#, with: preTokenizer)
        let (thrown, file) = try tokenizerJSONError(json)
        guard case .unsupported(let url, let foundKey, let foundValue, _) = thrown else {
            Issue.record("got \(String(describing: thrown))")
            return
        }
        #expect(url == file)
        #expect(foundKey == key)
        #expect(foundValue == value)
    }

    @Test("Other unsupported or invalid settings", arguments: [
        (#""dropout":null"#, #""dropout":0.1"#, "model.dropout"),
        (#""post_processor":null"#, #""post_processor":{"type":"BertProcessing"}"#, "post_processor.type"),
        (#""normalizer":null"#, #""normalizer":{"type":"Lowercase"}"#, "normalizer.type"),
        (#""type":"ByteLevel","use_regex":true},"model""#, #""type":"WordPiece","use_regex":true},"model""#, "decoder.type"),
        (#""version":"1.0""#, #""version":"2.0""#, "version"),
        (#""fuse_unk":false"#, #""fuse_unk":"no""#, "model.fuse_unk"),
        (#""unk_token":null"#, #""unk_token":"<unk>""#, "model.unk_token"),
        (#""vocab":{"#, #""vocab":{"a":-1,"#, "model.vocab.a"),
        (#""merges":["#, #""merges":[7,"#, "model.merges[0]"),
        (#""merges":["#, #""merges":["a b c","#, "model.merges[0]"),
    ])
    func invalidSetting(_ original: String, _ replacement: String, _ key: String) throws {
        let json = mini(original, replacement)
        #expect(json.contains(replacement))
        let (thrown, file) = try tokenizerJSONError(json)
        let described = thrown?.description ?? ""
        #expect(described.contains(file.path))
        #expect(described.contains(" \(key) "), "\(described)")
    }

    @Test("A missing model is named")
    func missingModel() throws {
        let (thrown, file) = try tokenizerJSONError(#"{"version":"1.0","added_tokens":[]}"#)
        #expect(thrown == .missingKey(file, key: "model"))
    }

    @Test("A merge naming a token outside the vocabulary, in tokenizer.json")
    func mergeOutsideVocabulary() throws {
        let (thrown, file) = try tokenizerJSONError(mini(#""merges":["#, #""merges":["Ġ t","x yz","#))
        #expect(thrown == .mergeTokenNotInVocabulary(file, location: "model.merges[1]", token: "yz"))
        #expect(thrown?.description.contains("model.merges[1]") == true)
    }

    @Test("vocab.json and merges.txt errors name the line")
    func mergesFileErrors() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let vocab = try folder.write("vocab.json", #"{"a": 0, "b": 1, "ab": 2, "Ġ": 3}"#)
        let malformed = try folder.write("bad.txt", "#version: 0.2\na b\na b c\n")
        #expect(error { _ = try BPETokenizer(vocabJSON: vocab, mergesTXT: malformed) }
            == .malformedMergesLine(malformed, line: 3, content: "a b c"))
        let unknown = try folder.write("unknown.txt", "#version: 0.2\n\na b\nb c\n")
        let thrown = error { _ = try BPETokenizer(vocabJSON: vocab, mergesTXT: unknown) }
        #expect(thrown == .mergeTokenNotInVocabulary(unknown, location: "line 4", token: "c"))
        #expect(thrown?.description.contains("line 4") == true)
        let badVocab = try folder.write("badvocab.json", #"{"a": 0, "Ġb": "one"}"#)
        #expect(error { _ = try BPETokenizer(vocabJSON: badVocab, mergesTXT: unknown) }
            == .invalidValue(badVocab, key: "[\"Ġb\"]", expected: "a token id from 0 to 4294967295", found: "\"one\""))
        let missing = folder.url.appendingPathComponent("nope.txt")
        #expect(error { _ = try BPETokenizer(vocabJSON: vocab, mergesTXT: missing) } == .missingFile(missing))
    }

    @Test("The loader names the folder when it has no tokenizer files")
    func loaderWithoutFiles() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        try folder.write("vocab.json", "{}")
        let thrown = error { _ = try TokenizerLoader.load(directory: folder.url) }
        #expect(thrown == .noTokenizerFiles(directory: folder.url, detail: "vocab.json is there but merges.txt is missing"))
        #expect(thrown?.description.contains(folder.url.path) == true)
        let nowhere = folder.url.appendingPathComponent("missing")
        guard case .noTokenizerFiles(let directory, _) = error({ _ = try TokenizerLoader.load(directory: nowhere) }) else {
            Issue.record("no error for a missing folder")
            return
        }
        #expect(directory == nowhere)
    }

    @Test("The loader takes the end-of-sequence token from tokenizer_config.json")
    func loaderEndOfSequence() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let json = MiniTokenizer.json().replacingOccurrences(of: "<|endoftext|>", with: "<|eot|>")
        try folder.write("tokenizer.json", json)
        #expect(try TokenizerLoader.load(directory: folder.url).endOfTextID == nil)
        try folder.write("tokenizer_config.json", #"{"eos_token": {"content": "<|end|>", "special": true}}"#)
        #expect(try TokenizerLoader.load(directory: folder.url).endOfTextID == 269)
        try folder.write("tokenizer_config.json", #"{"eos_token": "<|eot|>"}"#)
        #expect(try TokenizerLoader.load(directory: folder.url).endOfTextID == 268)
    }
}
