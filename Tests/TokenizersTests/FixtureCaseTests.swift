import Foundation
import Testing

@testable import SwiftSightTokenizers

/// The committed corpus of `tokenizer_cases.json` against both ways of loading the fixture.
@Suite("Hugging Face reference cases")
struct FixtureCaseTests {
    @Test("The corpus is there")
    func corpusIsPresent() throws {
        #expect(Fixtures.cases.count >= 40)
        #expect(Fixtures.fromTokenizerJSON != nil)
        #expect(Fixtures.fromVocabMerges != nil)
    }

    @Test("tokenizer.json: ids and decoding equal Hugging Face", arguments: Fixtures.cases)
    func tokenizerJSONCase(_ reference: Fixtures.Case) throws {
        let tokenizer = try #require(Fixtures.fromTokenizerJSON)
        check(tokenizer, reference)
    }

    @Test("vocab.json + merges.txt: ids and decoding equal Hugging Face", arguments: Fixtures.cases)
    func vocabMergesCase(_ reference: Fixtures.Case) throws {
        let tokenizer = try #require(Fixtures.fromVocabMerges)
        check(tokenizer, reference)
    }

    @Test("TokenizerLoader picks tokenizer.json, else vocab.json + merges.txt", arguments: [
        "tiny-gpt2", "tiny-gpt2-variants/vocab-merges", "tiny-gpt2-variants/flags-f32",
    ])
    func loaderRoutes(_ folder: String) throws {
        let tokenizer = try TokenizerLoader.load(directory: Fixtures.directory.appendingPathComponent(folder))
        for reference in Fixtures.cases {
            #expect(tokenizer.encode(reference.text) == reference.ids, "\(String(reflecting: reference.text))")
        }
    }

    @Test("Both routes agree on the vocabulary and the end-of-text token")
    func routesAgree() throws {
        let json = try #require(Fixtures.fromTokenizerJSON)
        let files = try #require(Fixtures.fromVocabMerges)
        #expect(json.vocabularySize == 794)
        #expect(files.vocabularySize == json.vocabularySize)
        #expect(json.endOfTextID == 0)
        #expect(files.endOfTextID == 0)
        #expect(json.id(forToken: "<|endoftext|>") == 0)
        #expect(json.token(forID: 0) == "<|endoftext|>")
        for id in 0..<json.vocabularySize {
            let token = try #require(json.token(forID: id))
            #expect(files.token(forID: id) == token)
            #expect(json.id(forToken: token) == id)
        }
        #expect(json.token(forID: json.vocabularySize) == nil)
        #expect(json.token(forID: -1) == nil)
        #expect(json.id(forToken: "no such token") == nil)
    }

    @Test("Special tokens are decoded unless skipped")
    func skipSpecialTokens() throws {
        let tokenizer = try #require(Fixtures.fromTokenizerJSON)
        let ids = tokenizer.encode("a <|endoftext|> b<|endoftext|>")
        #expect(ids.filter { $0 == 0 }.count == 2)
        #expect(tokenizer.decode(ids) == "a <|endoftext|> b<|endoftext|>")
        #expect(tokenizer.decode(ids, skipSpecialTokens: true) == "a  b")
    }

    private func check(_ tokenizer: BPETokenizer, _ reference: Fixtures.Case) {
        let ids = tokenizer.encode(reference.text)
        #expect(ids == reference.ids)
        #expect(scalars(tokenizer.decode(reference.ids)) == scalars(reference.decoded))
        #expect(scalars(tokenizer.decode(ids)) == scalars(reference.decoded))
    }
}
