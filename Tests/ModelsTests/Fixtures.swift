import SwiftSightCheckpoint
import Foundation
import SwiftSightHooks
@_spi(Testing) import SwiftSightLayers
import SwiftSightModels

/// The Hugging Face reference files written by Scripts/make_fixtures.py.
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func model(_ relative: String) -> URL { root.appendingPathComponent(relative) }

    /// One reference case: its checkpoint, the batch it ran, and every recorded activation.
    struct Case {
        let name: String
        let modelDirectory: URL
        let file: SafetensorsFile
        let batch: TokenBatch

        init(_ name: String) throws {
            let index = try JSONSerialization.jsonObject(
                with: Data(contentsOf: root.appendingPathComponent("activations/index.json"))) as? [String: Any]
            let cases = index?["cases"] as? [String: [String: Any]]
            let modelPath = cases?[name]?["model"] as? String ?? "missing"
            self.name = name
            modelDirectory = Fixtures.model(modelPath)
            file = try SafetensorsFile(url: root.appendingPathComponent("activations/\(name).safetensors"))
            let ids = try file.int64s("input_ids").map(Int.init)
            let mask = try file.int64s("attention_mask")
            let shape = file.info("input_ids")?.shape ?? []
            let (rows, cols) = (shape[0], shape[1])
            let sequences = (0..<rows).map { r in
                (0..<cols).compactMap { c in mask[r * cols + c] == 1 ? ids[r * cols + c] : nil }
            }
            batch = TokenBatch(sequences)
        }

        /// The reference value of `key`, e.g. `model.transformer.h.0.output`.
        func reference(_ key: String) throws -> Tensor { try file.tensor(key) }
    }
}

/// The largest difference between packed rows and a left-padded [batch, seq, width] reference,
/// over real (unpadded) positions.
func maxDifferenceOverRealTokens(packed: Tensor, reference: Tensor, batch: TokenBatch) throws -> Float {
    let padded = batch.layout.leftPadded(packed)
    precondition(padded.shape == reference.shape, "shapes \(padded.shape) and \(reference.shape)")
    var worst: Float = 0
    for r in 0..<batch.batchSize {
        for c in batch.padding(of: r)..<batch.maxLength {
            worst = max(worst, try padded[r][c].maxAbsDifference(try reference[r][c]))
        }
    }
    return worst
}
