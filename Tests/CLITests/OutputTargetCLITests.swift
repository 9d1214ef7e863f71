import Foundation
import Testing

/// What the commands do with the paths users give them: standard output, /dev/null, links,
/// folders, and a folder another dump is writing into.
@Suite(.serialized) struct OutputTargetCLITests {
    static func temporary(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)")
    }

    private func fileType(_ path: String) -> mode_t {
        var info = stat()
        return lstat(path, &info) == 0 ? info.st_mode & S_IFMT : 0
    }

    @Test func traceToDevStdoutWritesTheFileToStandardOutput() throws {
        let r = try CLI.run(["trace", "--model", CLI.fixtureModel, "--prompt", "My tailor is rich", "--save", "layers_output.1",
                             "--out", "/dev/stdout"])
        #expect(r.status == 0, "\(r.err)")
        #expect(fileType("/dev/stdout") == S_IFLNK)
        // Standard output holds exactly the file; the summary went to standard error.
        let file = try ActivationFile(bytes: r.outData)
        #expect(file.keys == ["attention_mask", "input_ids", "model.transformer.h.1.output"])
        let reference = try ActivationFile(CLI.fixtures.appendingPathComponent("activations/tailor.safetensors"))
        let diff = zip(file.floats("model.transformer.h.1.output"), reference.floats("model.transformer.h.1.output"))
            .map { abs($0 - $1) }.max() ?? 1
        #expect(diff <= 1e-4)
        #expect(r.err.contains("wrote 1 activations"))
    }

    @Test func traceToDevNullLeavesItADevice() throws {
        let r = try CLI.run(["trace", "--prompt", "Hello", "--save", "logits", "--out", "/dev/null"])
        #expect(r.status == 0, "\(r.err)")
        #expect(fileType("/dev/null") == S_IFCHR)
        #expect(r.out.contains("wrote 1 activations"))
    }

    @Test func traceThroughASymlinkWritesItsTarget() throws {
        let target = Self.temporary("target")
        let link = Self.temporary("link")
        defer {
            try? FileManager.default.removeItem(at: target)
            try? FileManager.default.removeItem(at: link)
        }
        try Data("old".utf8).write(to: target)
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: target.path)
        let r = try CLI.run(["trace", "--prompt", "Hello", "--save", "layers_output.0", "--out", link.path])
        #expect(r.status == 0, "\(r.err)")
        #expect(fileType(link.path) == S_IFLNK)
        #expect(try ActivationFile(target).keys.contains("model.transformer.h.0.output"))
    }

    @Test func writingIntoAFolderOrUnderAFileSaysWhatIsWrong() throws {
        let folder = Self.temporary("folder")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let trace = try CLI.run(["trace", "--prompt", "Hello", "--save", "logits", "--out", folder.path])
        #expect(trace.status != 0 && trace.err.contains("\(folder.path): it is a directory"), "\(trace.err)")
        let plot = try CLI.run(["logit-lens", "--prompt", "Hello", "--plot", folder.path])
        #expect(plot.status != 0 && plot.err.contains("\(folder.path): it is a directory"), "\(plot.err)")

        let file = folder.appendingPathComponent("prompts.txt")
        try Data("Hello\n".utf8).write(to: file)
        let under = file.appendingPathComponent("acts").path
        let dump = try CLI.run(["dump", "--prompts", file.path, "--at", "layers_output.0", "--out", under])
        #expect(dump.status != 0 && dump.err.contains("cannot create folder \(under): \(file.path) is a regular file"), "\(dump.err)")
        #expect(!dump.err.contains("NSCocoaErrorDomain"))
    }

    /// The first dump reads its prompts from a pipe kept open, so it is still running when the
    /// second starts.
    @Test func aSecondDumpIntoTheSameFolderFailsAndTheFirstStaysConsistent() throws {
        let folder = Self.temporary("dump")
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = Process()
        first.executableURL = CLI.binary
        first.arguments = ["dump", "--prompts", "-", "--at", "layers_output.1", "--out", folder.path, "--shard-tokens", "5",
                           "--batch-size", "1"]
        let input = Pipe(), output = Pipe(), errors = Pipe()
        (first.standardInput, first.standardOutput, first.standardError) = (input, output, errors)
        try first.run()
        let lines = (0..<12).map { "Prompt \($0) of the first dump, which is still reading." }
        input.fileHandleForWriting.write(Data((lines.prefix(6).joined(separator: "\n") + "\n").utf8))
        let lock = folder.appendingPathComponent(".swiftsight-dump.lock").path
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: lock), Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        #expect(FileManager.default.fileExists(atPath: lock))

        let prompts = Self.temporary("prompts")
        defer { try? FileManager.default.removeItem(at: prompts) }
        try Data("Another prompt\n".utf8).write(to: prompts)
        let second = try CLI.run(["dump", "--prompts", prompts.path, "--at", "layers_output.1", "--out", folder.path])
        #expect(second.status != 0 && !second.crashed)
        #expect(second.err.contains("another dump (process \(first.processIdentifier)) is writing into \(folder.path)"), "\(second.err)")

        input.fileHandleForWriting.write(Data((lines.suffix(6).joined(separator: "\n") + "\n").utf8))
        try input.fileHandleForWriting.close()
        _ = output.fileHandleForReading.readDataToEndOfFile()
        let firstErrors = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        first.waitUntilExit()
        #expect(first.terminationStatus == 0, "\(firstErrors)")
        #expect(!FileManager.default.fileExists(atPath: lock))

        // The manifest describes exactly the shards on disk.
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("manifest.json"))) as? [String: Any]
        #expect(manifest?["prompts"] as? Int == lines.count)
        let shards = try #require(manifest?["shards"] as? [[String: Any]])
        var total = 0
        for shard in shards {
            let file = try ActivationFile(folder.appendingPathComponent(try #require(shard["file"] as? String)))
            #expect(file.ints("input_ids").count == shard["tokens"] as? Int)
            #expect(Set(file.ints("prompt_index")).isSubset(of: Set((0..<Int64(lines.count)))))
            total += file.ints("input_ids").count
        }
        #expect(total == manifest?["tokens"] as? Int)
    }
}
