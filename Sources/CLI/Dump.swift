import ArgumentParser
import Foundation
import SwiftSight

struct Dump: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Stream activations of many prompts to safetensors shards (for sparse autoencoders).",
        discussion: """
            Reads one prompt per line from --prompts (a file, or - for standard input; empty lines are \
            skipped) and writes activations-NNNNN.safetensors shards of --shard-tokens rows each (fewer if \
            they would exceed --shard-megabytes), one row per token: every point under its nnsight key ([rows, width], F32) plus input_ids, prompt_index \
            and position (int64), then manifest.json. NAMES as for `trace --save` (layers_output.6, \
            transformer.h.6, ...). Each forward pass ends at the last point asked for. The folder is locked \
            while the dump runs: a second dump into it fails at once.
            """)

    @OptionGroup var options: ModelOptions
    @Option(name: .long, help: "A file with one prompt per line, or - for standard input.") var prompts: String
    @Option(name: .long, help: "What to dump: NAMES.") var at: String
    @Option(name: .long, help: "The folder to write (must not hold a dump already).") var out: String
    @Option(name: .long, help: "Rows (tokens) per shard, at most.") var shardTokens = 65_536
    @Option(name: .long, help: "Megabytes (MiB) of activations per shard, at most: wide points such as logits get fewer rows.")
    var shardMegabytes = ActivationDump.defaultShardBytes >> 20
    @Option(name: .long, help: "Prompts per forward pass.") var batchSize = 8

    func validate() throws {
        try OptionCheck.path(prompts, "--prompts")
        _ = try OptionCheck.names(at, "--at")
        try OptionCheck.path(out, "--out")
        try OptionCheck.count(shardTokens, "--shard-tokens")
        try OptionCheck.count(shardMegabytes, "--shard-megabytes", atMost: Int.max >> 20)
        try OptionCheck.count(batchSize, "--batch-size")
    }

    func run() async throws {
        let model = try await options.load()
        let points = Set(try Trace.points(at, option: "--at", model: model))
        let lines = try Self.lines(of: prompts)
        let started = ContinuousClock.now
        let dump = try await model.dumpActivations(lines, at: points, to: URL(fileURLWithPath: out), shardTokens: shardTokens,
                                                   shardBytes: shardMegabytes << 20, batchSize: batchSize) { p in
            progressLine("shard \(p.shardsWritten) written: \(p.tokens) tokens")
        }
        let seconds = (ContinuousClock.now - started) / .seconds(1)
        let rate = seconds > 0 ? Int((Double(dump.tokens) / seconds).rounded()) : 0
        print("wrote \(dump.tokens) tokens of \(dump.prompts) prompts in \(dump.shards.count) shard(s) to \(out) (\(rate) tokens/s)")
    }

    /// The non-empty lines of `path` (`-`: standard input), read as they are needed.
    static func lines(of path: String) throws -> PromptLines {
        let name = path == "-" ? "standard input" : path
        guard let file = path == "-" ? fdopen(dup(0), "r") : fopen(path, "r") else {
            throw ValidationError("cannot read the prompts file \(path): \(String(cString: strerror(errno)))")
        }
        var info = stat()
        if fstat(fileno(file), &info) == 0, info.st_mode & S_IFMT == S_IFDIR {
            fclose(file)
            throw ValidationError("--prompts \(path) is a directory; give a file with one prompt per line")
        }
        return PromptLines(file: LineFile(file, name: name))
    }
}

/// A prompts file that cannot be read to the end.
struct PromptFileError: Error, CustomStringConvertible {
    let description: String
}

/// Lines of a file as an async sequence, read one at a time so a file of millions of prompts is
/// never in memory at once. Reads block briefly; the pipeline's work runs on its own threads.
struct PromptLines: AsyncSequence, Sendable {
    let file: LineFile

    struct AsyncIterator: AsyncIteratorProtocol {
        let file: LineFile
        mutating func next() async throws -> String? { try file.nextNonEmptyLine() }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(file: file) }
}

/// A C stream read line by line, closed when no longer used.
///
/// Lines are read in pieces with a ceiling (`maxLineBytes`), so a file with no newlines
/// (`/dev/zero`) is an error naming the line instead of a buffer that grows until memory runs out,
/// and a read error (EIO, a directory) is an error instead of a silent end of the prompts.
final class LineFile: @unchecked Sendable {
    /// Far more than any prompt a model takes (positions times the longest token).
    static let maxLineBytes = 16 << 20

    // Only the single iterator of a dump reads it, one line at a time.
    private let file: UnsafeMutablePointer<FILE>
    private let name: String
    private var lineNumber = 0

    init(_ file: UnsafeMutablePointer<FILE>, name: String) { (self.file, self.name) = (file, name) }
    deinit { fclose(file) }

    func nextNonEmptyLine() throws -> String? {
        while let bytes = try nextLine() {
            var line = String(decoding: bytes, as: UTF8.self)
            while let last = line.unicodeScalars.last, last == "\n" || last == "\r" { line.unicodeScalars.removeLast() }
            if !line.isEmpty { return line }
        }
        return nil
    }

    /// The next line's bytes with its newline, or nil at the end of the file. Byte by byte
    /// through the stream's buffer: unlike `fgets`, this counts NUL bytes, and unlike `getline`,
    /// it stops at the ceiling.
    private func nextLine() throws -> [UInt8]? {
        var line: [UInt8] = []
        while true {
            let c = getc(file)
            if c == EOF {
                guard ferror(file) == 0 else {
                    throw PromptFileError(description: "cannot read the prompts file \(name) after line \(lineNumber): "
                        + String(cString: strerror(errno)))
                }
                break
            }
            line.append(UInt8(truncatingIfNeeded: c))
            if c == 10 { break }
            guard line.count <= Self.maxLineBytes else {
                throw PromptFileError(description: "line \(lineNumber + 1) of the prompts file \(name) is longer than "
                    + "\(Self.maxLineBytes >> 20) MiB; give one prompt per line")
            }
        }
        if line.isEmpty { return nil }
        lineNumber += 1
        return line
    }
}
