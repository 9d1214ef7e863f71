import Foundation
import SwiftSight

/// The fixture models and Hugging Face `generate` references (Scripts/fixtures_generation.py).
enum GenerationFixtures {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// A fixture model folder, e.g. "tiny-gpt2" or "tiny-gpt2-variants/flags-f32".
    static func model(_ name: String = "tiny-gpt2") async throws -> StandardizedTransformer {
        try await StandardizedTransformer(.directory(root.appendingPathComponent(name)))
    }

    /// One reference case.
    struct Case: Decodable {
        let name: String
        let model: String
        let prompts: [String]
        let promptIDs: [[Int]]
        let maxNewTokens: Int
        let stopTokens: [Int]
        let eos: Int
        let newIDs: [[Int]]
        let texts: [String]

        enum CodingKeys: String, CodingKey {
            case name, model, prompts, eos, texts
            case promptIDs = "prompt_ids", maxNewTokens = "max_new_tokens", stopTokens = "stop_tokens", newIDs = "new_ids"
        }
    }

    struct File: Decodable { let cases: [Case] }

    static func cases() throws -> [Case] {
        let data = try Data(contentsOf: root.appendingPathComponent("generation/generation.json"))
        return try JSONDecoder().decode(File.self, from: data).cases
    }

    static func `case`(_ name: String) throws -> Case {
        guard let c = try cases().first(where: { $0.name == name }) else { throw Missing(name: name) }
        return c
    }

    struct Missing: Error { let name: String }
}
