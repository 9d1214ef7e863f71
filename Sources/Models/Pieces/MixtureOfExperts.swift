import SwiftSightLayers

/// A sparse mixture-of-experts MLP (Mixtral's `MixtralSparseMoeBlock`): a router scores every
/// expert per token, the `topK` most probable experts (softmax over the router logits) run on
/// that token, and their outputs are summed weighted by their probabilities, renormalised over
/// the chosen experts when `normalizeTopK` (Mixtral always; Qwen3-MoE's `norm_topk_prob`).
///
/// Split in two steps, ``routerLogits(_:)`` then ``combine(_:routerLogits:)``, so that a hook
/// between them can read or edit the logits and thereby change which experts run and how they
/// are weighted, as editing the router's output in transformers would.
///
/// Differentiable as torch is: through the softmax and the chosen probabilities (gathered, then
/// divided by their sum) and through each expert; the top-k choice itself is not (it is read
/// from the values, like `torch.topk`'s indices).
struct MixtureOfExperts: Sendable {
    /// `gate`: [experts, hidden], no bias.
    var router: Projection
    /// One gated MLP per expert (w1 gate, w3 up, w2 down).
    var experts: [FeedForward]
    let topK: Int
    let normalizeTopK: Bool

    /// The router's logits, [..., experts].
    func routerLogits(_ x: Tensor) -> Tensor { router(x) }

    /// The experts' weighted sum for `x` [..., hidden] routed by `logits` [..., experts] (the
    /// same leading extents). Experts add in index order, as transformers' `index_add_` loop.
    /// O(tokens × experts) to route, plus the chosen experts' products.
    func combine(_ x: Tensor, routerLogits logits: Tensor) -> Tensor {
        let e = experts.count
        let width = x.shape[x.shape.count - 1]
        let tokens = width == 0 ? 0 : x.count / width
        let probabilities = logits.softmax(uncheckedAxis: logits.shape.count - 1)
        let chosen = Self.topIndices(probabilities.detached(), tokens: tokens, experts: e, k: topK)
        var picks: [Tensor.Run] = []
        picks.reserveCapacity(tokens * topK)
        for t in 0..<tokens {
            for j in 0..<topK { picks.append(Tensor.Run(source: t * e + chosen[t * topK + j], destination: t * topK + j, count: 1)) }
        }
        var weights = probabilities.gatheringRuns(unchecked: picks, shape: [tokens, topK])
        if normalizeTopK {
            var total = weights.slice(uncheckedAxis: 1, range: 0..<1)
            for j in 1..<max(topK, 1) { total = Tensor.binary(total, weights.slice(uncheckedAxis: 1, range: j..<(j + 1)), .add) }
            weights = Tensor.binary(weights, total, .divide)
        }
        var output = Tensor.zeros(unchecked: x.shape)
        for expert in 0..<e {
            var rows: [Tensor.Run] = [], scales: [Tensor.Run] = []
            for t in 0..<tokens {
                for j in 0..<topK where chosen[t * topK + j] == expert {
                    rows.append(Tensor.Run(source: t * width, destination: rows.count * width, count: width))
                    scales.append(Tensor.Run(source: t * topK + j, destination: scales.count, count: 1))
                }
            }
            guard !rows.isEmpty else { continue }
            let input = x.gatheringRuns(unchecked: rows, shape: [rows.count, width])
            let scaled = Tensor.binary(experts[expert](input),
                                       weights.gatheringRuns(unchecked: scales, shape: [rows.count, 1]), .multiply)
            output = Tensor.binary(output, scaled.gatheringRuns(unchecked: rows.map(\.reversed), shape: x.shape), .add)
        }
        return output
    }

    func callAsFunction(_ x: Tensor) -> Tensor { combine(x, routerLogits: routerLogits(x)) }

    /// Each token's `k` most probable experts, most probable first (ties to the lower index),
    /// row-major [tokens, k]. O(tokens × experts × k).
    static func topIndices(_ p: Tensor, tokens: Int, experts e: Int, k: Int) -> [Int] {
        var chosen = [Int](repeating: 0, count: tokens * k)
        p.withUnsafeBuffer { v in
            var taken = [Bool](repeating: false, count: e)
            for t in 0..<tokens {
                for i in 0..<e { taken[i] = false }
                for j in 0..<k {
                    var best = -1
                    for i in 0..<e where !taken[i] && (best < 0 || v[t * e + i] > v[t * e + best]) { best = i }
                    guard best >= 0 else { break }
                    taken[best] = true
                    chosen[t * k + j] = best
                }
            }
        }
        return chosen
    }

    func watched(on tape: GradientTape) -> MixtureOfExperts {
        MixtureOfExperts(router: router.watched(on: tape), experts: experts.map { $0.watched(on: tape) },
                         topK: topK, normalizeTopK: normalizeTopK)
    }
}

extension Tensor.Run {
    /// The same run read the other way (scattering gathered rows back).
    fileprivate var reversed: Tensor.Run { Tensor.Run(source: destination, destination: source, count: count) }
}
