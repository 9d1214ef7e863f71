import Foundation
import Testing

@testable import SwiftSightTokenizers

/// Reading the post-processor, normalizer, pre-tokenizer and decoder of a `tokenizer.json`:
/// what is supported loads, anything else is a typed error naming the file and the key.
@Suite("Pipeline loading")
struct PipelineLoadingTests {
    /// The error that loading `json` throws, with the file it was written to.
    func loadingError(_ json: String) throws -> (TokenizerError?, URL) {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let file = try folder.write("tokenizer.json", json)
        do {
            _ = try BPETokenizer(tokenizerJSON: file)
            return (nil, file)
        } catch {
            return (error, file)
        }
    }

    /// The mini tokenizer with `key`'s value replaced by `value` (raw JSON).
    func mini(_ key: String, _ value: String) -> String {
        let placeholder = #"{"PLACEHOLDER":true}"#
        switch key {
        case "post_processor":
            return MiniTokenizer.json(postProcessor: ["PLACEHOLDER": true]).replacingOccurrences(of: placeholder, with: value)
        case "normalizer":
            return MiniTokenizer.json(normalizer: ["PLACEHOLDER": true]).replacingOccurrences(of: placeholder, with: value)
        case "pre_tokenizer":
            return MiniTokenizer.json(preTokenizer: ["PLACEHOLDER": true]).replacingOccurrences(of: placeholder, with: value)
        default:
            return MiniTokenizer.json(decoder: ["PLACEHOLDER": true]).replacingOccurrences(of: placeholder, with: value)
        }
    }

    @Test("A template adds its special tokens around the text")
    func template() throws {
        let json = mini("post_processor", #"""
            {"type":"Sequence","processors":[{"type":"ByteLevel"},{"type":"TemplateProcessing",
            "single":[{"SpecialToken":{"id":"<|end|>","type_id":0}},{"Sequence":{"id":"A","type_id":0}},
            {"SpecialToken":{"id":"pair","type_id":0}}],
            "pair":[],"special_tokens":{"<|end|>":{"id":"<|end|>","ids":[1001],"tokens":["<|end|>"]},
            "pair":{"id":"pair","ids":[5,6],"tokens":["&","'"]}}}]}
            """#)
        let tokenizer = try MiniTokenizer.load(json)
        let plain = tokenizer.encode("the", addSpecialTokens: false)
        #expect(tokenizer.encode("the") == [1001] + plain + [5, 6])
        #expect(tokenizer.encode("") == [1001, 5, 6])
    }

    @Test("Unsupported or invalid pipeline parts name the key", arguments: [
        ("post_processor", #"{"type":"RobertaProcessing","sep":["</s>",2],"cls":["<s>",0]}"#, "post_processor.type"),
        ("post_processor", #"{"type":"TemplateProcessing","single":[{"SpecialToken":{"id":"<x>","type_id":0}}],"special_tokens":{}}"#,
         "post_processor.single[0].SpecialToken.id"),
        ("post_processor", #"{"type":"TemplateProcessing","single":[{"Sequence":{"id":"B","type_id":0}}],"special_tokens":{}}"#,
         "post_processor.single[0].Sequence.id"),
        ("post_processor", #"{"type":"TemplateProcessing","special_tokens":{}}"#, "post_processor.single"),
        ("normalizer", #"{"type":"Replace","pattern":{"Regex":" +"},"content":"▁"}"#, "normalizer.pattern"),
        ("normalizer", #"{"type":"Replace","pattern":{"String":""},"content":"▁"}"#, "normalizer.pattern.String"),
        ("normalizer", #"{"type":"Lowercase"}"#, "normalizer.type"),
        ("pre_tokenizer", #"{"type":"Digits","individual_digits":true}"#, "pre_tokenizer.type"),
        ("pre_tokenizer", #"{"type":"Metaspace","replacement":"ab","prepend_scheme":"first"}"#, "pre_tokenizer.replacement"),
        ("pre_tokenizer", #"{"type":"Metaspace","replacement":"▁","prepend_scheme":"sometimes"}"#, "pre_tokenizer.prepend_scheme"),
        ("pre_tokenizer", #"{"type":"Sequence","pretokenizers":[{"type":"ByteLevel"},{"type":"Metaspace","replacement":"▁"}]}"#,
         "pre_tokenizer"),
        ("decoder", #"{"type":"WordPiece","prefix":"@@"}"#, "decoder.type"),
        ("decoder", #"{"type":"Strip","content":" ","start":-1,"stop":0}"#, "decoder.start"),
        ("decoder", #"{"type":"Sequence","decoders":[{"type":"Fuse"},{"type":"CTC"}]}"#, "decoder.decoders[1].type"),
    ])
    func unsupported(_ key: String, _ value: String, _ path: String) throws {
        let (thrown, file) = try loadingError(mini(key, value))
        let described = thrown?.description ?? "no error"
        #expect(described.hasPrefix(file.path), "\(described)")
        #expect((described + " ").contains(" \(path) "), "\(described)")
    }

    @Test("An empty template (Pythia saved by transformers 5) adds nothing")
    func emptyTemplate() throws {
        let json = mini("post_processor", #"""
            {"type":"TemplateProcessing","single":[{"Sequence":{"id":"A","type_id":0}}],"pair":[],"special_tokens":{}}
            """#)
        let tokenizer = try MiniTokenizer.load(json)
        #expect(!tokenizer.postProcessor.addsTokens)
        #expect(tokenizer.encode("hello the") == tokenizer.encode("hello the", addSpecialTokens: false))
    }
}
