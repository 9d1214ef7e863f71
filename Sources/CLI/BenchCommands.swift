import ArgumentParser
import Foundation
import SwiftSightBench

// The benchmark commands: only their options live here; what they run is the SwiftSightBench
// module (Sources/Bench), so the user commands' sources hold no harness.

struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time forward passes, traces, gradients, generation and streaming (median and min after warm-up).",
        discussion: """
            The cases of Scripts/bench_reference.py (nnsight and Hugging Face on the same checkpoint and token ids), \
            one line each with the peak resident memory of the case. With --compare REF.json (that script's output), \
            each line adds the reference's median and the ratio; --markdown FILE writes the side-by-side table. \
            Scripts/bench_side_by_side.sh runs both sides in one sitting.
            """)

    @OptionGroup var options: ModelOptions
    @Option(help: "Timed runs per case (heavy cases: a third, at least 3).") var runs = 11
    @Option(help: "Untimed warm-up runs per case (heavy cases: at most 1).") var warmup = 2
    @Option(help: "Comma-separated case names (default: all).") var cases: String?
    @Option(help: "The reference side's JSON (Scripts/bench_reference.py --out) to compare with; several, comma-separated, are rounds: each case keeps its lowest median.")
    var compare: String?
    @Option(help: "SwiftSight's JSON of earlier rounds (--out), comma-separated: each case keeps its lowest median over them and this run.")
    var earlier: String?
    @Option(help: "Also write this run's JSON (the shape of --json) to this file.") var out: String?
    @Option(help: "Write the side-by-side Markdown table to this file (needs --compare).") var markdown: String?
    @Flag(inversion: .prefixedNo, help: "Measure the GEMM throughput of the 128-token forward against standalone cblas_sgemm.")
    var gemm = true
    @Flag(help: "Print one JSON object (the shape of Scripts/bench_reference.py's) instead of lines.") var json = false

    func validate() throws {
        try OptionCheck.count(runs, "--runs", atMost: 1_000_000)
        try OptionCheck.count(warmup, "--warmup", atLeast: 0, atMost: 1_000_000)
        if let cases { _ = try OptionCheck.names(cases, "--cases") }
        if let compare { _ = try OptionCheck.names(compare, "--compare") }
        if let earlier { _ = try OptionCheck.names(earlier, "--earlier") }
        if let out { try OptionCheck.path(out, "--out") }
        if let markdown { try OptionCheck.path(markdown, "--markdown") }
    }

    func run() async throws {
        let list = { (value: String?) in value.map { $0.split(separator: ",").map(String.init) } }
        var settings = BenchSettings()
        (settings.runs, settings.warmup, settings.cases) = (runs, warmup, list(cases))
        (settings.compare, settings.earlier) = (list(compare) ?? [], list(earlier) ?? [])
        (settings.out, settings.markdown, settings.gemm, settings.json) = (out, markdown, gemm, json)
        try await BenchSession(settings).run { try await options.load() }
    }
}

struct BenchGEMM: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-gemm",
        abstract: "Time Linear's products on GPT-2-small shapes: cblas_sgemm/sgemv against the packed kernel (Float32, BF16).")

    @Option(help: "Comma-separated row counts (m).") var rows = "1,8,128,512"
    @Option(help: "Timed runs per case.") var runs = 11
    @Option(help: "Untimed warm-up runs per case.") var warmup = 2
    @Flag(help: "Print one JSON object per case.") var json = false

    func validate() throws {
        _ = try rowCounts()
        try OptionCheck.count(runs, "--runs", atMost: 1_000_000)
        try OptionCheck.count(warmup, "--warmup", atLeast: 0, atMost: 1_000_000)
    }

    /// The row counts of --rows.
    func rowCounts() throws -> [Int] {
        try OptionCheck.names(rows, "--rows").map { part -> Int in
            guard let m = Int(part), (1...GEMMBench.maxRows).contains(m) else {
                throw ValidationError("--rows: \"\(part)\" is not an integer from 1 to \(GEMMBench.maxRows)")
            }
            return m
        }
    }

    func run() throws {
        try GEMMBench(rowCounts: try rowCounts(), runs: runs, warmup: warmup, json: json).run()
    }
}
