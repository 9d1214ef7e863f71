import SwiftSightCheckpoint
import Foundation
import SwiftSight

/// What `swiftsight bench` was asked for: its options, already checked by the command.
package struct BenchSettings: Sendable {
    /// Timed runs per case (heavy cases: a third, at least 3).
    package var runs = 11
    /// Untimed warm-up runs per case (heavy cases: at most 1).
    package var warmup = 2
    /// The cases to run, by name; nil runs them all.
    package var cases: [String]?
    /// The reference side's JSON files (Scripts/bench_reference.py --out), one per round.
    package var compare: [String] = []
    /// SwiftSight's JSON of earlier rounds (--out).
    package var earlier: [String] = []
    /// Where to write this run's JSON.
    package var out: String?
    /// Where to write the side-by-side Markdown table (needs `compare`).
    package var markdown: String?
    /// Whether to measure the GEMM throughput of the 128-token forward.
    package var gemm = true
    /// Print one JSON object instead of lines.
    package var json = false

    package init() {}
}

/// One sitting of `swiftsight bench`: reads the other rounds and the reference side, times the
/// cases on the model, prints a line per case and writes the JSON and the Markdown table.
///
/// It lives in its own module, not in the CLI's sources, so that the library and the user
/// commands carry no benchmark code; the `swiftsight` command only parses the options.
package struct BenchSession {
    let settings: BenchSettings

    package init(_ settings: BenchSettings) { self.settings = settings }

    /// Runs the sitting. `load` is called after the reference files are read, so a bad file
    /// fails before the model is loaded.
    package func run(loading load: () async throws -> StandardizedTransformer) async throws {
        let (markdown, out, json) = (settings.markdown, settings.out, settings.json)
        if markdown != nil, settings.compare.isEmpty { throw BenchError.markdownNeedsReference }
        let references = try settings.compare.map { path throws(BenchError) in (path, try BenchReport.read(path: path)) }
        let rounds = try settings.earlier.map { path throws(BenchError) in (path, try BenchReport.read(path: path)) }
        let model = try await load()
        let inputs = try BenchInputs(model: model)
        for (path, other) in references + rounds {
            if let diff = inputs.ids.firstDifference(from: other.inputs) {
                throw BenchError.inputsDiffer(path: path, key: diff.key, prompt: diff.prompt)
            }
        }
        let reference = references.isEmpty ? nil : BenchReport.best(of: references.map(\.1))
        let all = try BenchCases.all(model: model, inputs: inputs)
        let wanted = settings.cases ?? all.map(\.name)
        let unknown = wanted.filter { name in !all.contains { $0.name == name } }
        if !unknown.isEmpty { throw BenchError.unknownCases(unknown, known: all.map(\.name)) }

        let blas = BLASRuntime.current
        say(blas.description)
        let runner = BenchRunner(runs: settings.runs, warmup: settings.warmup)
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
        if settings.gemm, wanted.contains("forward_128") {
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
        guard !settings.json else { return }
        print(line)
        fflush(nil)   // all streams: `stdout` itself is not concurrency-safe to name
    }
}
