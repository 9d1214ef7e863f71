/// Times cases: warm-up runs, then timed runs, with the peak resident memory of the case.
struct BenchRunner: Sendable {
    let runs: Int
    let warmup: Int

    /// Heavy cases get a third of the runs (at least 3) and one warm-up, as on the Python side.
    func plan(for c: BenchCase) -> (runs: Int, warmup: Int) {
        c.heavy ? (max(3, runs / 3), min(warmup, 1)) : (max(1, runs), warmup)
    }

    func measure(_ c: BenchCase) async throws -> BenchMeasurement {
        let (runs, warmup) = plan(for: c)
        let reset = PeakMemory.reset()
        for _ in 0..<warmup { try await c.body() }
        var times: [Double] = []
        for _ in 0..<runs {
            let start = ContinuousClock.now
            try await c.body()
            times.append((ContinuousClock.now - start).milliseconds)
        }
        return BenchMeasurement(milliseconds: times, peakRSSMB: reset ? PeakMemory.peakMB() : nil, tokens: c.tokens)
    }
}

extension Duration {
    var milliseconds: Double { Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15 }
}
