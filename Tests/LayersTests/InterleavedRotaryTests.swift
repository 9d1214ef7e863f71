import Foundation
@_spi(Testing) @testable import SwiftSightLayers
import Testing

/// GPT-J's rotary layout (transformers' `rotate_every_two`).
@Suite struct InterleavedRotaryTests {
    /// Pair i is features (2i, 2i + 1), turned by θᵢ; the features past `rotary_dim` pass
    /// through; the pullback turns back.
    @Test func interleavedRotaryPairsNeighbours() throws {
        let rope = RotaryEmbedding(inverseFrequencies: [1, 0.5], layout: .interleaved)  // 4 of 6 features per head
        let x = try Tensor(shape: [1, 6], values: [1, 2, 3, 4, 5, 6])
        let y = rope(x, positions: [2], heads: 1).scalars
        let (c0, s0, c1, s1) = (Float(cos(2.0)), Float(sin(2.0)), Float(cos(1.0)), Float(sin(1.0)))
        let expected: [Float] = [1 * c0 - 2 * s0, 2 * c0 + 1 * s0, 3 * c1 - 4 * s1, 4 * c1 + 3 * s1, 5, 6]
        for (a, b) in zip(y, expected) { #expect(abs(a - b) <= 1e-6) }
        let halfSplit = RotaryEmbedding(inverseFrequencies: [1, 0.5])
        #expect(halfSplit(x, positions: [2], heads: 1).scalars != y)
        let back = RotaryEmbedding.rotateInterleaved(try Tensor(shape: [1, 6], values: y), rope.angles([2], [1, 0.5], 1), heads: 1, sign: -1)
        for (a, b) in zip(back.scalars, x.scalars) { #expect(abs(a - b) <= 1e-6) }
    }
}
