import ArgumentParser
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
    @Option(help: "The reference side's JSON (Scripts/bench_reference.py --out) to compare with.") var compare: String?
    @Option(help: "Write the side-by-side Markdown table to this file (needs --compare).") var markdown: String?
    @Flag(inversion: .prefixedNo, help: "Measure the GEMM throughput of the 128-token forward against standalone cblas_sgemm.")
    var gemm = true
    @Flag(help: "Print one JSON object (the shape of Scripts/bench_reference.py's) instead of lines.") var json = false

    func run() async throws {
        if markdown != nil, compare == nil { throw BenchError.markdownNeedsReference }
        let reference = try compare.map { path throws(BenchError) in try BenchReport.read(path: path) }
        let model = try await options.load()
        let inputs = try BenchInputs(model: model)
        if let reference, let compare, let diff = inputs.ids.firstDifference(from: reference.inputs) {
            throw BenchError.inputsDiffer(path: compare, key: diff.key, prompt: diff.prompt)
        }
        let all = try BenchCases.all(model: model, inputs: inputs)
        let wanted = cases.map { $0.split(separator: ",").map(String.init) } ?? all.map(\.name)
        let unknown = wanted.filter { name in !all.contains { $0.name == name } }
        if !unknown.isEmpty { throw BenchError.unknownCases(unknown, known: all.map(\.name)) }

        let blas = BLASRuntime.current
        say(blas.description)
        let runner = BenchRunner(runs: runs, warmup: warmup)
        var results: [String: BenchMeasurement] = [:]
        var rows: [ComparisonRow] = []
        for c in all where wanted.contains(c.name) {
            let before = model.pipeline.statistics
            let m = try await runner.measure(c)
            results[c.name] = m
            let row = ComparisonRow(name: c.name, title: c.title, reference: reference?.cases[c.reference], swift: m, bar: c.bar)
            rows.append(row)
            say(row.line)
            if c.name == "traces_32x64" {
                let after = model.pipeline.statistics
                let perComputation = Double(after.stageItems - before.stageItems)
                    / Double(max(1, after.stageComputations - before.stageComputations))
                say(String(format: "  (concurrent traces merged: %.1f traces per stage computation)", perComputation))
            }
        }
        let own = BenchCases.ownRatioRows(results)
        for r in own { say(r.line) }
        var throughput: GEMMThroughput?
        if gemm, wanted.contains("forward_128") {
            throughput = try await GEMMThroughput.measure(model: model, batch: TokenBatch([inputs.ids.slice128]), repeats: 5)
            throughput.map { say($0.line) }
        }
        let report = BenchReport(side: "SwiftSight", versions: ["swiftsight": SwiftSightVersion.string, "OpenBLAS": "\(blas.configuration) (core \(blas.coreName))"],
                                 threads: blas.threads, inputs: inputs.ids, cases: results, gemm: throughput)
        if json { print(try report.json()) }
        if let markdown, let reference {
            let table = BenchMarkdown.render(rows: rows, own: own, gemm: throughput, swift: report, reference: reference)
            try table.write(toFile: markdown, atomically: true, encoding: .utf8)
        }
    }

    /// A progress line (suppressed with --json, which prints only the object).
    private func say(_ line: String) {
        guard !json else { return }
        print(line)
        fflush(nil)   // all streams: `stdout` itself is not concurrency-safe to name
    }
}
