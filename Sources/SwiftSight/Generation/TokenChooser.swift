import Foundation
import SwiftSightLayers

/// Picks each sequence's next token from its last position's logits: greedy, or sampled
/// (temperature, top-k, top-p, in that order, as Hugging Face's logits processors do).
struct TokenChooser: Sendable {
    let sampling: Sampling?
    private var sources: [RandomSource]

    /// A chooser for `count` sequences.
    init(sampling: Sampling?, count: Int) {
        self.sampling = sampling
        sources = (0..<count).map { RandomSource(seed: sampling?.seed ?? 0, stream: UInt64($0)) }
    }

    /// The next token of sequence `sequence`, from its `logits` (one row of the vocabulary).
    mutating func choose(_ logits: UnsafeBufferPointer<Float>, sequence: Int) -> Int {
        guard let sampling else { return logits.firstIndexOfMaximum() }
        return sample(logits, sampling, &sources[sequence])
    }


    private func sample(_ logits: UnsafeBufferPointer<Float>, _ sampling: Sampling, _ source: inout RandomSource) -> Int {
        var scores = logits.map { Double($0) / Double(sampling.temperature) }
        if let k = sampling.topK, k < scores.count {
            let threshold = scores.sorted(by: >)[k - 1]
            for i in scores.indices where scores[i] < threshold { scores[i] = -.infinity }
        }
        if let p = sampling.topP, p < 1 {
            // Drop the least likely tokens whose cumulative probability stays <= 1 - p, keeping
            // the most likely token always.
            let order = scores.indices.sorted { scores[$0] < scores[$1] }
            let probabilities = Self.softmax(order.map { scores[$0] })
            var cumulative = 0.0
            for (rank, i) in order.enumerated() where rank < order.count - 1 {
                cumulative += probabilities[rank]
                if cumulative <= 1 - Double(p) { scores[i] = -.infinity } else { break }
            }
        }
        let probabilities = Self.softmax(scores)
        let u = source.unit()
        var cumulative = 0.0
        var last = 0
        for (i, q) in probabilities.enumerated() where q > 0 {
            cumulative += q
            last = i
            if u < cumulative { return i }
        }
        return last
    }

    private static func softmax(_ x: [Double]) -> [Double] {
        let m = x.max() ?? 0
        let e = x.map { $0 == -.infinity ? 0 : exp($0 - m) }
        let total = e.reduce(0, +)
        return e.map { $0 / total }
    }
}
