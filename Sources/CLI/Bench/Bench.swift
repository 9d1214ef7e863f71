import ArgumentParser
import Checkpoint
import Foundation
import SwiftSight

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
        if markdown != nil, compare == nil { throw BenchError.markdownNeedsReference }
        let paths = { (list: String?) in list.map { $0.split(separator: ",").map(String.init) } ?? [] }
        let references = try paths(compare).map { path throws(BenchError) in (path, try BenchReport.read(path: path)) }
        let rounds = try paths(earlier).map { path throws(BenchError) in (path, try BenchReport.read(path: path)) }
        let model = try await options.load()
        let inputs = try BenchInputs(model: model)
        for (path, other) in references + rounds {
            if let diff = inputs.ids.firstDifference(from: other.inputs) {
                throw BenchError.inputsDiffer(path: path, key: diff.key, prompt: diff.prompt)
            }
        }
        let reference = references.isEmpty ? nil : BenchReport.best(of: references.map(\.1))
        let all = try BenchCases.all(model: model, inputs: inputs)
        let wanted = cases.map { $0.split(separator: ",").map(String.init) } ?? all.map(\.name)
        let unknown = wanted.filter { name in !all.contains { $0.name == name } }
        if !unknown.isEmpty { throw BenchError.unknownCases(unknown, known: all.map(\.name)) }

        let blas = BLASRuntime.current
        say(blas.description)
        let runner = BenchRunner(runs: runs, warmup: warmup)
        var results: [String: BenchMeasurement] = [:]
        let selected = all.filter { wanted.contains($0.name) }
        for c in selected {
            let before = model.pipeline.statistics
            let m = try await runner.measure(c)
            results[c.name] = m
            say(ComparisonRow(name: c.name, title: c.title, reference: reference?.cases[c.reference], swift: m, bar: c.bar).line)
            if c.name == "traces_32x64" {
                let after = model.pipeline.statistics
                let perComputation = Double(after.stageItems - before.stageItems)
                    / Double(max(1, after.stageComputations - before.stageComputations))
                say(String(format: "  (concurrent traces merged: %.1f traces per stage computation)", perComputation))
            }
        }
        var throughput: GEMMThroughput?
        if gemm, wanted.contains("forward_128") {
            throughput = try await GEMMThroughput.measure(model: model, batch: TokenBatch([inputs.ids.slice128]), repeats: 5)
        }
        let version = blas.configuration.hasPrefix("OpenBLAS ") ? String(blas.configuration.dropFirst(9)) : blas.configuration
        let report = BenchReport(side: "SwiftSight", versions: ["swiftsight": SwiftSightVersion.string, "OpenBLAS": "\(version) (core \(blas.coreName))"],
                                 threads: blas.threads, inputs: inputs.ids, cases: results, gemm: throughput)
        if let out { try OutputFile.write(Array((try report.json() + "\n").utf8), to: out) }
        let best = rounds.isEmpty ? report : BenchReport.best(of: [report] + rounds.map(\.1))
        if !rounds.isEmpty { say("best of \(rounds.count + 1) rounds (lowest median per case):") }
        let rows = selected.compactMap { c in
            best.cases[c.name].map { ComparisonRow(name: c.name, title: c.title, reference: reference?.cases[c.reference], swift: $0, bar: c.bar) }
        }
        if !rounds.isEmpty { for row in rows { say(row.line) } }
        let own = BenchCases.ownRatioRows(best.cases)
        for r in own { say(r.line) }
        best.gemm.map { say($0.line) }
        if json { print(try report.json()) }
        if let markdown, let reference {
            let table = BenchMarkdown.render(rows: rows, own: own, gemm: best.gemm, swift: best, reference: reference,
                                             rounds: (references.count, rounds.count + 1))
            try OutputFile.write(Array(table.utf8), to: markdown)
        }
    }

    /// A progress line (suppressed with --json, which prints only the object).
    private func say(_ line: String) {
        guard !json else { return }
        print(line)
        fflush(nil)   // all streams: `stdout` itself is not concurrency-safe to name
    }
}
