import Foundation
import SwiftSight

/// The models the tests run. Tests that compare with the Hugging Face reference activations in
/// `Tests/Fixtures/activations` use the fixture model (random fixed weights: 3 layers, width 64,
/// vocabulary 794); the embedded default is the trained demo model (see EmbeddedModelTests).
enum TestModels {
    /// `Tests/Fixtures`.
    static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// `Tests/Fixtures/tiny-gpt2`, the model every reference activation was computed with.
    static let fixtureDirectory = fixtures.appendingPathComponent("tiny-gpt2")

    /// A fresh instance of the fixture model.
    static func fixture() async throws -> StandardizedTransformer {
        try await StandardizedTransformer(.directory(fixtureDirectory))
    }
}
