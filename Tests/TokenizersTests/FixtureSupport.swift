import Foundation
import Testing

@testable import SwiftSightTokenizers

/// Locating and reading the committed reference fixtures in `Tests/Fixtures`.
enum Fixtures {
    /// `Tests/Fixtures`, found from this file's path.
    static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // TokenizersTests
        .deletingLastPathComponent()  // Tests
        .appendingPathComponent("Fixtures")

    /// The tiny GPT-2 checkpoint folder.
    static let tinyGPT2 = directory.appendingPathComponent("tiny-gpt2")

    /// One case of `tokenizer_cases.json`: a text with the ids and decoding of Hugging Face
    /// `tokenizers`.
    struct Case: Decodable, Sendable, CustomTestStringConvertible {
        let text: String
        let ids: [Int]
        let decoded: String
        var testDescription: String { String(reflecting: text) }
    }

    private struct CaseFile: Decodable {
        let tokenizers: String
        let cases: [Case]
    }

    /// Every case of `tokenizer_cases.json`.
    static let cases: [Case] = {
        let url = directory.appendingPathComponent("tokenizer_cases.json")
        guard let data = try? Data(contentsOf: url), let file = try? JSONDecoder().decode(CaseFile.self, from: data) else {
            return []
        }
        return file.cases
    }()

    /// The fixture tokenizer loaded from `tokenizer.json`.
    static let fromTokenizerJSON: BPETokenizer? = try? BPETokenizer(
        tokenizerJSON: tinyGPT2.appendingPathComponent("tokenizer.json"))

    /// The fixture tokenizer loaded from `vocab.json` and `merges.txt`.
    static let fromVocabMerges: BPETokenizer? = try? BPETokenizer(
        vocabJSON: tinyGPT2.appendingPathComponent("vocab.json"), mergesTXT: tinyGPT2.appendingPathComponent("merges.txt"))
}

/// A fresh temporary folder, removed by the caller with `cleanUp`.
struct TemporaryFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("TokenizersTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// Writes `text` to `name` in the folder and returns its URL.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> URL {
        let file = url.appendingPathComponent(name)
        try Data(text.utf8).write(to: file)
        return file
    }

    func cleanUp() {
        try? FileManager.default.removeItem(at: url)
    }
}

/// The scalar values of `text`, for comparisons that must not treat canonically equivalent
/// strings as equal.
func scalars(_ text: String) -> [UInt32] {
    text.unicodeScalars.map(\.value)
}
