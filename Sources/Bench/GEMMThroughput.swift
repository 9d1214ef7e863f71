import Foundation
import SwiftSight

/// How fast the matrix products of one forward pass run inside it, against `cblas_sgemm` called
/// directly on the same shapes in the same process (issue 6's bar: at least 75 %).
struct GEMMThroughput: Codable, Equatable, Sendable {
    /// Products in one forward pass.
    var calls: Int
    /// Their floating-point operations, in billions.
    var gflop: Double
    /// Median over the recorded forwards of the seconds spent in products, in ms.
    var inForwardMs: Double
    /// Median over the replays of the same products called directly, in ms.
    var standaloneMs: Double
    /// Median wall time of the recorded forwards, in ms.
    var forwardMs: Double

    enum CodingKeys: String, CodingKey {
        case calls, gflop, inForwardMs = "in_forward_ms", standaloneMs = "standalone_ms", forwardMs = "forward_ms"
    }

    static let bar = Bar.atLeast(0.75)

    /// Standalone time over in-forward time: 1 means the products run as fast inside the forward as alone.
    var efficiency: Double { standaloneMs / inForwardMs }
    var inForwardGFLOPS: Double { gflop / (inForwardMs / 1000) }
    var standaloneGFLOPS: Double { gflop / (standaloneMs / 1000) }

    /// Records the products of `repeats` forwards of `batch`, then replays the first forward's
    /// list `repeats` times through `cblas_sgemm`.
    static func measure(model: StandardizedTransformer, batch: TokenBatch, repeats: Int) async throws -> GEMMThroughput {
        var inForward: [Double] = [], walls: [Double] = []
        var list: [GEMM.Call] = []
        _ = try await model.forward(batch)   // warm-up
        for _ in 0..<max(1, repeats) {
            let start = ContinuousClock.now
            let (_, calls) = try await GEMM.Recording.record { try await model.forward(batch) }
            walls.append((ContinuousClock.now - start).milliseconds)
            inForward.append(calls.reduce(0) { $0 + $1.seconds } * 1000)
            if list.isEmpty { list = calls }
        }
        var standalone: [Double] = []
        _ = GEMM.Call.standaloneSeconds(of: list)   // warm-up
        for _ in 0..<max(1, repeats) {
            standalone.append(GEMM.Call.standaloneSeconds(of: list).reduce(0, +) * 1000)
        }
        let median = { (v: [Double]) in BenchMeasurement(milliseconds: v, peakRSSMB: nil).medianMs }
        return GEMMThroughput(calls: list.count, gflop: list.reduce(0) { $0 + $1.flops } / 1e9,
                              inForwardMs: median(inForward), standaloneMs: median(standalone), forwardMs: median(walls))
    }

    var title: String { "GEMM throughput in the 128-token forward / standalone `cblas_sgemm`, same shapes" }

    var line: String {
        String(format: "GEMM, forward_128: %d products, %.1f GFLOP; %.1f ms of the %.1f ms forward in GEMM (%.0f GFLOP/s), "
               + "standalone cblas_sgemm %.1f ms (%.0f GFLOP/s): %.0f %%",
               calls, gflop, inForwardMs, forwardMs, inForwardGFLOPS, standaloneMs, standaloneGFLOPS, efficiency * 100)
            + " (bar \(Self.bar.text): \(Self.bar.isMet(by: efficiency) ? "met" : "NOT met"))"
    }

    var markdown: String {
        String(format: "| GEMM throughput in the 128-token forward (%.0f GFLOP/s; %.1f of its %.1f ms) / standalone `cblas_sgemm` "
               + "on the same %d products (%.0f GFLOP/s) | %.2f |",
               inForwardGFLOPS, inForwardMs, forwardMs, calls, standaloneGFLOPS, efficiency)
            + " \(Self.bar.text) | \(Self.bar.isMet(by: efficiency) ? "yes" : "**no**") |"
    }
}
