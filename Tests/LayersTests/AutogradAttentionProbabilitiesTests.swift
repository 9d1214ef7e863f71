import Testing
@_spi(Testing) @testable import SwiftSightLayers

/// Attention split at its probabilities over packed sequences (packedProbabilities, then
/// packedProduct) and the run copies that move packed probabilities to their padded view.
@Suite struct AutogradAttentionProbabilitiesTests {
    /// Two sequences of 3 and 5 rows, GQA 4/2, head size 3.
    static let offsets = [0, 3, 8]

    @Test func splitAttentionEqualsTheFusedKernel() throws {
        var r = TestRandom(seed: 51)
        let (q, k, v) = (try r.tensor([8, 12]), try r.tensor([8, 6]), try r.tensor([8, 6]))
        for window in [nil, 2] as [Int?] {
            let attention = ScaledDotProductAttention(scale: 0.6, window: window)
            let p = attention.packedProbabilities(queries: q, keys: k, heads: 4, kvHeads: 2, offsets: Self.offsets, keyWidth: 6)
            #expect(p.shape == [8, 4, 6])
            let out = ScaledDotProductAttention.packedProduct(probabilities: p, values: v, heads: 4, kvHeads: 2, offsets: Self.offsets)
            for s in 0..<2 {
                let rows = Self.offsets[s]..<Self.offsets[s + 1]
                func part(_ t: Tensor) throws -> Tensor { try t.rows(rows).reshaped([1, rows.count, t.shape[1]]) }
                let fused = attention(queries: try part(q), keys: try part(k), values: try part(v), heads: 4, kvHeads: 2)
                #expect(try out.rows(rows).maxAbsDifference(fused.reshaped([rows.count, 12])) <= 1e-6)
                // Keys after the sequence's own are 0; within the window each row sums to 1.
                for i in rows {
                    for h in 0..<4 {
                        let sum = try (0..<rows.count).reduce(Float(0)) { try $0 + p[element: [i, h, $1]] }
                        #expect(abs(sum - 1) <= 1e-5)
                        for j in rows.count..<6 { #expect(try p[element: [i, h, j]] == 0) }
                        if let window, i - rows.lowerBound >= window {
                            #expect(try p[element: [i, h, i - rows.lowerBound - window]] == 0)
                        }
                    }
                }
            }
        }
    }

    @Test func gradientsOfProbabilitiesAndProduct() throws {
        var r = TestRandom(seed: 52)
        let (q, k, v) = (try r.tensor([8, 12]), try r.tensor([8, 6]), try r.tensor([8, 6]))
        for window in [nil, 2] as [Int?] {
            let attention = ScaledDotProductAttention(scale: 0.6, window: window)
            try expectGradientsMatch([q, k]) {
                attention.packedProbabilities(queries: $0[0], keys: $0[1], heads: 4, kvHeads: 2, offsets: Self.offsets, keyWidth: 5)
            }
            try expectGradientsMatch([q, k, v]) {
                let p = attention.packedProbabilities(queries: $0[0], keys: $0[1], heads: 4, kvHeads: 2, offsets: Self.offsets, keyWidth: 5)
                return ScaledDotProductAttention.packedProduct(probabilities: p, values: $0[2], heads: 4, kvHeads: 2, offsets: Self.offsets)
            }
        }
        // Any probabilities (future keys included) against the values; entries past a sequence's
        // keys are not read, so their gradient is 0.
        let p = try r.tensor([8, 4, 5], 0, 1)
        try expectGradientsMatch([p, v]) {
            ScaledDotProductAttention.packedProduct(probabilities: $0[0], values: $0[1], heads: 4, kvHeads: 2, offsets: Self.offsets)
        }
        let tape = GradientTape()
        let watched = tape.watch(p)
        let out = ScaledDotProductAttention.packedProduct(probabilities: watched, values: v, heads: 4, kvHeads: 2, offsets: Self.offsets)
        let dP = try? tape.backward(out.sum()).gradient(of: watched)
        #expect(try dP.map { g in try (0..<3).allSatisfy { i in try (0..<4).allSatisfy { h in try (3..<5).allSatisfy { try g[element: [i, h, $0]] == 0 } } } } == true)
    }

    @Test func runCopiesAndTheirGradients() throws {
        var r = TestRandom(seed: 53)
        let (x, y) = (try r.tensor([3, 4]), try r.tensor([2, 3]))
        let runs = [Tensor.Run(source: 1, destination: 0, count: 3), Tensor.Run(source: 8, destination: 4, count: 2)]
        let gathered = try x.gatheringRuns(runs, shape: [2, 3])
        #expect(gathered.scalars == [x.scalars[1], x.scalars[2], x.scalars[3], 0, x.scalars[8], x.scalars[9]])
        try expectGradientsMatch([x]) { try $0[0].gatheringRuns(runs, shape: [2, 3]) }
        let back = runs.map { Tensor.Run(source: $0.destination, destination: $0.source, count: $0.count) }
        let overwritten = try x.overwritingRuns(back, from: y)
        var want = x.scalars
        want.replaceSubrange(1..<4, with: y.scalars[0..<3])
        want.replaceSubrange(8..<10, with: y.scalars[4..<6])
        #expect(overwritten.scalars == want)
        try expectGradientsMatch([x, y]) { try $0[0].overwritingRuns(back, from: $0[1]) }
    }
}
