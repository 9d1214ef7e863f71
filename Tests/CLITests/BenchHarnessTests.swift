import Foundation
import Testing
@testable import SwiftSightBench

/// The pure parts of `swiftsight bench`: reading the reference side's JSON, ratios, bars,
/// medians, the Markdown table, and reading the peak resident memory.
@Suite struct BenchHarnessTests {
    /// The shape Scripts/bench_reference.py prints (keys and nesting as written by that script).
    static let referenceJSON = """
        {"side": "nnsight/HF", "versions": {"torch": "2.15.0+cu132", "transformers": "5.24.0", "nnsight": "0.6.3", "numpy": "2.4.6"},
         "threads": 2,
         "inputs": {"short": [427, 571, 300, 529], "slice_128": [1, 2, 3], "batch_8x64": [[1, 2], [3, 4]],
                    "prompts_32x64": [[5]], "prompts_256x64": [[6], [7]]},
         "cases": {"forward_128": {"median_ms": 180.5, "min_ms": 170.25, "runs": 11, "peak_rss_mb": 1300.6},
                   "stream_l6_256x64": {"median_ms": 16384.0, "min_ms": 16000.0, "runs": 3, "peak_rss_mb": 2100.0, "tokens": 16384}}}
        """

    @Test func readsTheReferenceSidesJSON() throws {
        let report = try BenchReport.decode(Data(Self.referenceJSON.utf8), path: "ref.json")
        #expect(report.side == "nnsight/HF")
        #expect(report.versions["nnsight"] == "0.6.3")
        #expect(report.threads == 2)
        #expect(report.inputs.short == [427, 571, 300, 529])
        #expect(report.inputs.batch8x64 == [[1, 2], [3, 4]])
        #expect(report.cases["forward_128"] == BenchMeasurement(medianMs: 180.5, minMs: 170.25, runs: 11, peakRSSMB: 1300.6, tokens: nil))
        #expect(report.cases["stream_l6_256x64"]?.tokensPerSecond == 1000)
        #expect(report.gemm == nil)
    }

    @Test func aBrokenReferenceNamesTheFileAndTheKey() {
        let missing = Self.referenceJSON.replacingOccurrences(of: "\"min_ms\": 170.25, ", with: "")
        #expect(throws: BenchError.unreadableReference(path: "ref.json", reason: "no key cases.forward_128.min_ms")) {
            try BenchReport.decode(Data(missing.utf8), path: "ref.json")
        }
        let wrongType = Self.referenceJSON.replacingOccurrences(of: "\"threads\": 2", with: "\"threads\": \"two\"")
        #expect(throws: BenchError.unreadableReference(path: "ref.json", reason: "wrong type at threads")) {
            try BenchReport.decode(Data(wrongType.utf8), path: "ref.json")
        }
        #expect(throws: BenchError.self) { try BenchReport.decode(Data("{\"side\": ".utf8), path: "ref.json") }
        let error = BenchError.unreadableReference(path: "/tmp/none.json", reason: "x")
        #expect(error.description.contains("/tmp/none.json"))
        #expect(throws: BenchError.self) { try BenchReport.read(path: "/nonexistent/ref.json") }
    }

    @Test func theJSONOfOneSideReadsBackAsTheOther() throws {
        let report = try BenchReport.decode(Data(Self.referenceJSON.utf8), path: "ref.json")
        let again = try BenchReport.decode(Data(try report.json().utf8), path: "again.json")
        #expect(again == report)
        #expect(try report.json().contains("\"median_ms\":180.5"))
    }

    @Test func inputsThatDifferAreFoundByKeyAndPrompt() throws {
        let ids = try BenchReport.decode(Data(Self.referenceJSON.utf8), path: "ref.json").inputs
        #expect(ids.firstDifference(from: ids) == nil)
        var other = ids
        other.batch8x64[1] = [3, 5]
        #expect(ids.firstDifference(from: other)! == ("batch_8x64", 1))
        other = ids
        other.prompts256x64.append([8])
        #expect(ids.firstDifference(from: other)! == ("prompts_256x64", 2))
        other = ids
        other.short = [427]
        #expect(ids.firstDifference(from: other)! == ("short", 0))
    }

    /// Python's statistics.median: the middle value, or the mean of the middle two.
    @Test func medianAndMinimumAsPythonComputesThem() {
        let odd = BenchMeasurement(milliseconds: [5, 1, 3], peakRSSMB: nil)
        #expect(odd.medianMs == 3 && odd.minMs == 1 && odd.runs == 3)
        let even = BenchMeasurement(milliseconds: [4, 1, 3, 10], peakRSSMB: 12, tokens: 7)
        #expect(even.medianMs == 3.5 && even.minMs == 1 && even.peakRSSMB == 12 && even.tokens == 7)
    }

    @Test func barsAndRatios() {
        #expect(Bar.atMost(1).isMet(by: 1.0) && !Bar.atMost(1).isMet(by: 1.01))
        #expect(Bar.atLeast(1.3).isMet(by: 1.31) && !Bar.atLeast(1.3).isMet(by: 1.29))
        #expect(Bar.atMost(0.8).text == "≤ 0.80" && Bar.atLeast(1.3).text == "≥ 1.30")
        let ref = BenchMeasurement(medianMs: 200, minMs: 190, runs: 11, peakRSSMB: 1300.6, tokens: nil)
        let mine = BenchMeasurement(medianMs: 150, minMs: 140, runs: 11, peakRSSMB: 540.2, tokens: nil)
        let row = ComparisonRow(name: "forward_128", title: "forward, 128 tokens, HF", reference: ref, swift: mine, bar: .atMost(1))
        #expect(row.ratio == 0.75 && row.met == true)
        #expect(row.markdown == "| forward, 128 tokens, HF | 200.0 | 150.0 | 0.75 | ≤ 1.00 | yes | 1301 | 540 |")
        #expect(row.line.hasPrefix("forward_128                median    150.0 ms   min    140.0 ms   peak RSS   540 MB"))
        #expect(row.line.hasSuffix("| ref 200.0 ms, ratio 0.75 (bar ≤ 1.00: met)"))
        let slow = ComparisonRow(name: "g", title: "g", reference: ref, swift: BenchMeasurement(medianMs: 1700, minMs: 1600, runs: 3, peakRSSMB: nil, tokens: 16384), bar: .atMost(0.8))
        #expect(slow.markdown == "| g | 200.0 | 1700 (9638 tok/s) | 8.50 | ≤ 0.80 | **no** | 1301 | — |")
        let alone = ComparisonRow(name: "x", title: "x", reference: nil, swift: mine, bar: .atMost(1))
        #expect(alone.ratio == nil && alone.met == nil)
        #expect(alone.markdown == "| x | — | 150.0 | — | ≤ 1.00 | — | — | 540 |")
    }

    @Test func ownRatiosNeedBothCases() {
        let m = { (ms: Double) in BenchMeasurement(medianMs: ms, minMs: ms, runs: 1, peakRSSMB: nil, tokens: nil) }
        let rows = BenchCases.ownRatioRows(["forward_128": m(200), "trace_stop_l5_128": m(90), "traces_32x64": m(3000),
                                            "traces_32x64_sequential": m(4200), "trace_read_l5_short": m(70)])
        #expect(rows.map(\.title) == ["trace stopping after layer 5 / forward, 128", "32 traces × 64 tokens: sequential / concurrent (speed-up)"])
        #expect(rows[0].value == 0.45 && rows[0].markdown == "| trace stopping after layer 5 / forward, 128 | 0.45 | ≤ 0.50 | yes |")
        #expect(abs(rows[1].value - 1.4) < 1e-12 && rows[1].bar == .atLeast(1.3))
    }

    @Test func theMarkdownSectionHasBothSidesAndTheVersions() throws {
        let reference = try BenchReport.decode(Data(Self.referenceJSON.utf8), path: "ref.json")
        var swift = reference
        swift.side = "SwiftSight"
        swift.versions = ["swiftsight": "0.1.0"]
        let gemm = GEMMThroughput(calls: 100, gflop: 32, inForwardMs: 200, standaloneMs: 160, forwardMs: 230)
        #expect(gemm.efficiency == 0.8 && gemm.inForwardGFLOPS == 160 && gemm.standaloneGFLOPS == 200)
        let row = ComparisonRow(name: "forward_128", title: "forward", reference: reference.cases["forward_128"],
                                swift: BenchMeasurement(medianMs: 190, minMs: 180, runs: 11, peakRSSMB: 530, tokens: nil), bar: .atMost(1))
        let text = BenchMarkdown.render(rows: [row], own: [OwnRatioRow(title: "t", value: 1.5, bar: .atLeast(1.3))], gemm: gemm,
                                        swift: swift, reference: reference)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0] == "| case | nnsight/HF median ms | SwiftSight median ms | ratio | bar | met? | peak RSS nnsight/HF MB | peak RSS SwiftSight MB |")
        #expect(lines[2] == "| forward | 180.5 | 190.0 | 1.05 | ≤ 1.00 | **no** | 1301 | 530 |")
        #expect(lines.contains("| t | 1.50 | ≥ 1.30 | yes |"))
        #expect(lines.contains { $0.hasPrefix("| GEMM throughput in the 128-token forward (160 GFLOP/s; 200.0 of its 230.0 ms)") && $0.hasSuffix("| 0.80 | ≥ 0.75 | yes |") })
        #expect(lines.contains("SwiftSight: swiftsight 0.1.0, 2 threads. nnsight/HF: nnsight 0.6.3, numpy 2.4.6, torch 2.15.0+cu132, transformers 5.24.0, 2 threads."))
    }

    /// Rounds of one side merge case by case: the lowest median wins, with its own min and RSS.
    @Test func roundsKeepTheLowestMedianPerCase() throws {
        let first = try BenchReport.decode(Data(Self.referenceJSON.utf8), path: "ref.json")
        var second = first
        second.cases["forward_128"] = BenchMeasurement(medianMs: 150, minMs: 149, runs: 11, peakRSSMB: 1200, tokens: nil)
        second.cases["stream_l6_256x64"] = BenchMeasurement(medianMs: 20000, minMs: 15000, runs: 3, peakRSSMB: 1, tokens: 16384)
        second.gemm = GEMMThroughput(calls: 1, gflop: 1, inForwardMs: 10, standaloneMs: 9, forwardMs: 12)
        var third = first
        third.gemm = GEMMThroughput(calls: 1, gflop: 1, inForwardMs: 20, standaloneMs: 9, forwardMs: 30)
        let best = BenchReport.best(of: [first, second, third])
        #expect(best.cases["forward_128"]?.medianMs == 150 && best.cases["forward_128"]?.peakRSSMB == 1200)
        #expect(best.cases["stream_l6_256x64"] == first.cases["stream_l6_256x64"])
        #expect(best.gemm?.forwardMs == 12)
        #expect(best.side == first.side && best.inputs == first.inputs)
        let text = BenchMarkdown.render(rows: [], own: [], gemm: nil, swift: best, reference: first, rounds: (2, 3))
        #expect(text.hasPrefix("Each side's figure per case is its lowest median over 2 rounds (nnsight/HF) and 3 rounds (SwiftSight), run alternately.\n\n| case |"))
        #expect(BenchMarkdown.render(rows: [], own: [], gemm: nil, swift: best, reference: first).hasPrefix("| case |"))
    }

    @Test func readsVmHWMFromAStatusText() {
        let status = "Name:\tswiftsight\nVmPeak:\t 1234 kB\nVmHWM:\t  548716 kB\nVmRSS:\t  500000 kB\n"
        #expect(PeakMemory.vmHWMKilobytes(in: status) == 548_716)
        #expect(PeakMemory.vmHWMKilobytes(in: "VmRSS:\t 5 kB\n") == nil)
        #expect(PeakMemory.vmHWMKilobytes(in: "VmHWM:\t  oops kB\n") == nil)
    }

    /// The kernel lets the peak be reset: after touching 256 MiB and freeing it, the reset
    /// peak is well below the peak with it.
    @Test func resettingThePeakForgetsMemoryFreedBefore() throws {
        guard PeakMemory.reset() else { return }   // not Linux: the bench prints no RSS
        let before = try #require(PeakMemory.peakMB())
        let size = 256 << 20
        let block = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 4096)
        for offset in stride(from: 0, to: size, by: 4096) { block.storeBytes(of: 1, toByteOffset: offset, as: UInt8.self) }
        let touched = try #require(PeakMemory.peakMB())
        block.deallocate()
        #expect(touched - before > 200)
        #expect(PeakMemory.reset())
        let after = try #require(PeakMemory.peakMB())
        #expect(touched - after > 200)
    }
}
