import Foundation
import Testing

/// `logit-lens`, `patch` and `steer` on the fixture model.
@Suite(.serialized) struct ToolkitCLITests {
    static let model = CLI.fixtures.appendingPathComponent("tiny-gpt2").path

    @Test func logitLensPrintsATableAndWritesAnSVGHeatmap() throws {
        let plot = FileManager.default.temporaryDirectory.appendingPathComponent("swiftsight-lens-\(UUID()).svg")
        defer { try? FileManager.default.removeItem(at: plot) }
        let r = try CLI.run(["logit-lens", "--model", Self.model, "--prompt", "My tailor is rich", "--top", "2", "--plot", plot.path])
        #expect(r.status == 0, "\(r.err)")
        let lines = r.out.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("layer") && $0.contains("\" tailor\"") && $0.contains("\" rich\"") }, "\(r.out)")
        #expect(lines.filter { $0.range(of: #"^[0-2]\s"#, options: .regularExpression) != nil }.count == 3, "\(r.out)")
        #expect(r.err.contains("3 layers x 4 positions"))
        let svg = try String(contentsOf: plot, encoding: .utf8)
        #expect(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>\n"))
        #expect(svg.components(separatedBy: "<rect x=").count - 1 == 12)          // layers x positions cells
        #expect(svg.contains("layer 2") && svg.contains("&quot; tailor&quot;"))
    }

    @Test func patchPrintsTheNormalisedMatrixAndPlotsIt() throws {
        let plot = FileManager.default.temporaryDirectory.appendingPathComponent("swiftsight-patch-\(UUID()).svg")
        defer { try? FileManager.default.removeItem(at: plot) }
        let r = try CLI.run(["patch", "--model", Self.model, "--clean", "The quick brown fox", "--corrupted", "The lazy brown dog",
                             "--target", " fox", "--trap", " dog", "--batch-size", "5", "--plot", plot.path])
        #expect(r.status == 0, "\(r.err)")
        // Patching the last layer's output at the last position restores the clean run exactly.
        #expect(r.out.split(separator: "\n").contains { $0.hasPrefix("2 ") && $0.hasSuffix("1.000") }, "\(r.out)")
        #expect(r.err.contains("patched 5/12") && r.err.contains("patched 12/12"), "\(r.err)")
        #expect(try String(contentsOf: plot, encoding: .utf8).components(separatedBy: "<rect x=").count - 1 == 12)
        let bad = try CLI.run(["patch", "--model", Self.model, "--clean", "Hello world", "--corrupted", "The lazy brown dog",
                               "--target", " fox", "--trap", " dog"])
        #expect(bad.status != 0 && bad.err.contains("same token count"), "\(bad.err)")
    }

    @Test func steerShowsPredictionsBeforeAndAfter() throws {
        let r = try CLI.run(["steer", "--model", Self.model, "--prompt", "My tailor is", "--layer", "1",
                             "--from", "Hello world", "--to", "My tailor is rich", "--factor", "4", "--top", "5"])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("before") && r.out.contains("after"))
        #expect(r.out.split(separator: "\n").filter { $0.range(of: #"^[1-5]\s"#, options: .regularExpression) != nil }.count == 5)
        let bad = try CLI.run(["steer", "--model", Self.model, "--prompt", "x", "--layer", "7", "--from", "a", "--to", "b"])
        #expect(bad.status != 0 && bad.err.contains("--layer 7"), "\(bad.err)")
    }
}
