import Foundation
import Testing

@testable import SwiftSightTokenizers

/// Llama 3, Qwen2, GPT-NeoX, Llama 2 and Mistral tokenizers against Hugging Face `tokenizers`
/// on the GPT-2 corpus plus digit runs, CRLF, leading spaces and contractions in every case.
@Suite("Tokenizer families against Hugging Face")
struct FamilyFixtureTests {
    @Test("Encoding equals Hugging Face's, with and without special tokens", arguments: FamilyFixtures.names)
    func encoding(_ family: String) throws {
        let reference = try FamilyFixtures.reference(family)
        let tokenizer = try TokenizerLoader.load(directory: FamilyFixtures.folder(family))
        #expect(reference.cases.count >= 100)
        for item in reference.cases {
            #expect(tokenizer.encode(item.text) == item.ids, "\(family) \(String(reflecting: item.text))")
            #expect(tokenizer.encode(item.text, addSpecialTokens: true) == item.ids)
            #expect(
                tokenizer.encode(item.text, addSpecialTokens: false) == item.idsWithoutSpecialTokens,
                "\(family) \(String(reflecting: item.text))")
        }
    }

    @Test("Decoding equals Hugging Face's, skipping special tokens or not", arguments: FamilyFixtures.names)
    func decoding(_ family: String) throws {
        let reference = try FamilyFixtures.reference(family)
        let tokenizer = try TokenizerLoader.load(directory: FamilyFixtures.folder(family))
        for item in reference.cases {
            #expect(scalars(tokenizer.decode(item.ids)) == scalars(item.decoded), "\(family) \(String(reflecting: item.text))")
            #expect(
                scalars(tokenizer.decode(item.ids, skipSpecialTokens: true)) == scalars(item.decodedSkippingSpecialTokens),
                "\(family) \(String(reflecting: item.text))")
        }
        for item in reference.decodes {
            #expect(scalars(tokenizer.decode(item.ids)) == scalars(item.decoded), "\(family) \(item.ids)")
            #expect(
                scalars(tokenizer.decode(item.ids, skipSpecialTokens: true)) == scalars(item.decodedSkippingSpecialTokens),
                "\(family) \(item.ids)")
        }
    }

    @Test("Vocabulary size and end-of-text token", arguments: [
        ("llama3", "<|end_of_text|>"), ("qwen2", "<|endoftext|>"), ("gpt-neox", "<|endoftext|>"), ("llama2", "</s>"),
        ("mistral", "</s>"),
    ])
    func vocabulary(_ family: String, _ endOfText: String) throws {
        let reference = try FamilyFixtures.reference(family)
        let tokenizer = try TokenizerLoader.load(directory: FamilyFixtures.folder(family))
        #expect(tokenizer.vocabularySize == reference.vocabularySize)
        let id = try #require(tokenizer.id(forToken: endOfText))
        #expect(tokenizer.endOfTextID == id)
        #expect(tokenizer.token(forID: id) == endOfText)
    }

    @Test("The loader reads each family's pipeline from tokenizer.json")
    func pipelines() throws {
        let llama3 = try FamilyFixtures.tokenizer("llama3")
        #expect(llama3.isByteLevel)
        #expect(llama3.model.options.ignoreMerges)
        #expect(llama3.postProcessor.addsTokens)
        let llama3Split = (llama3.preTokenizer as? PreTokenizerSequence)?.steps.first as? Llama3PreTokenizer
        #expect(llama3Split == .llama3)

        let qwen2 = try FamilyFixtures.tokenizer("qwen2")
        #expect(qwen2.isByteLevel)
        #expect(qwen2.normalizer == .nfc)
        #expect(qwen2.model.options.continuingSubwordPrefix == nil)
        #expect(!qwen2.postProcessor.addsTokens)
        #expect((qwen2.preTokenizer as? PreTokenizerSequence)?.steps.first as? Llama3PreTokenizer == .qwen2)

        let neox = try FamilyFixtures.tokenizer("gpt-neox")
        #expect(neox.isByteLevel)
        #expect(neox.normalizer == .nfc)
        #expect((neox.preTokenizer as? ByteLevelPreTokenizer)?.useRegex == true)

        let llama2 = try FamilyFixtures.tokenizer("llama2")
        #expect(!llama2.isByteLevel)
        #expect(llama2.preTokenizer == nil)
        #expect(llama2.normalizer == .sequence([.prepend("\u{2581}"), .replace(pattern: " ", content: "\u{2581}")]))
        #expect(llama2.model.options.byteFallback)
        #expect(llama2.model.options.fuseUnknown)

        let mistral = try FamilyFixtures.tokenizer("mistral")
        #expect(!mistral.isByteLevel)
        #expect(mistral.normalizer == nil)
        #expect(mistral.preTokenizer as? MetaspacePreTokenizer
            == MetaspacePreTokenizer(prependScheme: .first, splitsAtReplacement: false))
    }

    @Test("Llama 3 adds <|begin_of_text|>, Llama 2 adds <s>, GPT-2-style files add nothing")
    func specialTokens() throws {
        let llama3 = try FamilyFixtures.tokenizer("llama3")
        let begin = try #require(llama3.id(forToken: "<|begin_of_text|>"))
        #expect(llama3.encode("") == [begin])
        #expect(llama3.encode("", addSpecialTokens: false) == [])
        #expect(llama3.encode("Hello").first == begin)
        #expect(llama3.encode("Hello", addSpecialTokens: false).first != begin)

        let llama2 = try FamilyFixtures.tokenizer("llama2")
        #expect(llama2.encode("") == [1])
        #expect(llama2.encode("Hi", addSpecialTokens: false).first != 1)

        let gpt2 = try #require(Fixtures.fromTokenizerJSON)
        for reference in Fixtures.cases {
            #expect(gpt2.encode(reference.text, addSpecialTokens: false) == reference.ids)
        }
    }

    @Test("ignore_merges takes a whole-word token that no merge makes")
    func ignoreMerges() throws {
        let llama3 = try FamilyFixtures.tokenizer("llama3")
        let word = try #require(llama3.id(forToken: "\u{120}Interpretability"))
        #expect(llama3.encode(" Interpretability", addSpecialTokens: false) == [word])
        var symbols = llama3.model.initialSymbols(of: ByteLevel.encode(Array(" Interpretability".utf8)))
        llama3.model.mergeAll(&symbols)
        #expect(symbols.count > 1)
    }

    @Test("Characters outside the vocabulary fall back to <0xNN> tokens and decode back")
    func byteFallback() throws {
        let llama2 = try FamilyFixtures.tokenizer("llama2")
        let ids = llama2.encode("✓", addSpecialTokens: false)
        let tokens = ids.compactMap { llama2.token(forID: $0) }
        #expect(tokens.contains("<0xE2>"))
        #expect(llama2.decode(ids) == "✓")
        // An incomplete sequence becomes one U+FFFD per byte, as in Hugging Face.
        let partial = try #require(llama2.id(forToken: "<0xE2>"))
        #expect(llama2.decode([partial, partial]) == "\u{FFFD}\u{FFFD}")
        // A literal "<0x41>" in the text is text, not a byte token.
        #expect(llama2.decode(llama2.encode("<0x41>")) == "<s> <0x41>")
    }
}
