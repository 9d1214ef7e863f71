import Foundation
import SwiftSight

/// The fixture model and the toolkit's Hugging Face references (Scripts/fixtures_toolkit.py).
enum ToolkitFixtures {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let modelDirectory = root.appendingPathComponent("tiny-gpt2")

    /// The tiny fixture GPT-2 (3 layers, 4 heads, 64 wide, vocabulary 794).
    static func model() async throws -> StandardizedTransformer {
        try await StandardizedTransformer(.directory(modelDirectory))
    }

    /// A reference tensor from toolkit/toolkit.safetensors.
    static func reference(_ key: String) throws -> Tensor {
        try SafetensorsFile(url: root.appendingPathComponent("toolkit/toolkit.safetensors")).tensor(key)
    }

    /// toolkit/cases.json.
    static func cases() throws -> [String: Any] {
        let data = try Data(contentsOf: root.appendingPathComponent("toolkit/cases.json"))
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }
}
