/// A limit on a ratio: at most (times, lower is better) or at least (speed-ups, efficiencies).
struct Bar: Sendable, Equatable {
    enum Direction: Sendable { case atMost, atLeast }
    let direction: Direction
    let value: Double

    static func atMost(_ value: Double) -> Bar { Bar(direction: .atMost, value: value) }
    static func atLeast(_ value: Double) -> Bar { Bar(direction: .atLeast, value: value) }

    /// Whether `ratio` is within the bar.
    func isMet(by ratio: Double) -> Bool { direction == .atMost ? ratio <= value : ratio >= value }

    /// `≤ 1.00` or `≥ 1.30`.
    var text: String { (direction == .atMost ? "≤ " : "≥ ") + Format.ratio(value) }
}

/// One benchmark case: what is timed, and what it is compared with.
struct BenchCase: Sendable {
    /// The JSON key, the same on both sides (`forward_128`).
    let name: String
    /// What the Markdown table calls it.
    let title: String
    /// The reference case compared with (usually the same name).
    let reference: String
    /// The bar for SwiftSight's median divided by the reference's, if the case has one.
    let bar: Bar?
    /// Heavy cases (several seconds a run) get a third of the runs and one warm-up, like the Python side.
    let heavy: Bool
    /// Tokens one run processes, for cases reported as throughput.
    let tokens: Int?
    let body: @Sendable () async throws -> Void

    /// Issue 6's bar for a case against nnsight: at most 0.8 of its time.
    static let nnsightBar = Bar.atMost(0.8)

    init(_ name: String, _ title: String, reference: String? = nil, bar: Bar? = nnsightBar, heavy: Bool = false,
         tokens: Int? = nil, body: @escaping @Sendable () async throws -> Void) {
        (self.name, self.title, self.reference, self.bar) = (name, title, reference ?? name, bar)
        (self.heavy, self.tokens, self.body) = (heavy, tokens, body)
    }
}

/// One side's figures for one case: the entry under `cases` in both sides' JSON.
struct BenchMeasurement: Codable, Equatable, Sendable {
    var medianMs: Double
    var minMs: Double
    var runs: Int
    /// Peak resident memory during the case (VmHWM after resetting it), MiB.
    var peakRSSMB: Double?
    var tokens: Int?

    enum CodingKeys: String, CodingKey {
        case medianMs = "median_ms", minMs = "min_ms", runs, peakRSSMB = "peak_rss_mb", tokens
    }

    /// Tokens per second at the median, for throughput cases.
    var tokensPerSecond: Double? { tokens.map { Double($0) / (medianMs / 1000) } }

    init(medianMs: Double, minMs: Double, runs: Int, peakRSSMB: Double?, tokens: Int?) {
        (self.medianMs, self.minMs, self.runs, self.peakRSSMB, self.tokens) = (medianMs, minMs, runs, peakRSSMB, tokens)
    }

    /// Median and minimum of `milliseconds` (the median of an even count averages the middle
    /// two, as Python's `statistics.median` does).
    init(milliseconds: [Double], peakRSSMB: Double?, tokens: Int? = nil) {
        let sorted = milliseconds.sorted()
        let mid = sorted.count / 2
        medianMs = sorted.isEmpty ? .nan : sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
        minMs = sorted.first ?? .nan
        runs = sorted.count
        (self.peakRSSMB, self.tokens) = (peakRSSMB, tokens)
    }
}

/// A ratio of two of SwiftSight's own cases with a bar from an earlier issue
/// (e.g. a trace reading one layer against the plain forward).
struct OwnRatio: Sendable {
    let title: String
    let numerator: String
    let denominator: String
    let bar: Bar
}
