import Foundation
import Testing

/// Commands on a checkpoint whose weights hold NaN or infinity answer instead of trapping.
@Suite(.serialized) struct NonFiniteWeightsCLITests {
    /// A copy of the fixture model with `tensor` (F32) overwritten by `value`.
    static func poisonedModel(_ tensor: String, with value: Float) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("poisoned-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: URL(fileURLWithPath: CLI.fixtureModel), to: folder)
        let weights = folder.appendingPathComponent("model.safetensors")
        var bytes = try Data(contentsOf: weights)
        let headerLength = bytes.prefix(8).enumerated().reduce(0) { $0 | (Int($1.element) << (8 * $1.offset)) }
        let header = try JSONSerialization.jsonObject(with: bytes.subdata(in: 8..<(8 + headerLength))) as? [String: Any]
        let offsets = try #require((header?[tensor] as? [String: Any])?["data_offsets"] as? [Int])
        let pattern = withUnsafeBytes(of: value.bitPattern.littleEndian) { Data($0) }
        for start in stride(from: 8 + headerLength + offsets[0], to: 8 + headerLength + offsets[1], by: 4) {
            bytes.replaceSubrange(start..<(start + 4), with: pattern)
        }
        try bytes.write(to: weights)
        return folder
    }

    @Test(arguments: [Float.nan, .infinity])
    func logitLensPlotsAModelWithNonFiniteWeights(value: Float) throws {
        let model = try Self.poisonedModel("transformer.ln_f.weight", with: value)
        defer { try? FileManager.default.removeItem(at: model) }
        let plot = model.appendingPathComponent("lens.svg")
        let r = try CLI.run(["logit-lens", "--model", model.path, "--prompt", "My tailor is rich", "--plot", plot.path])
        #expect(!r.crashed && r.status == 0, "status \(r.status): \(r.err)")
        let svg = try String(contentsOf: plot, encoding: .utf8)
        #expect(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>\n"))
        let patch = try CLI.run(["patch", "--model", model.path, "--clean", "My tailor is rich", "--corrupted", "My tailor is poor",
                                 "--target", " rich", "--trap", " poor", "--plot", plot.path])
        #expect(!patch.crashed, "status \(patch.status): \(patch.err)")
    }
}
