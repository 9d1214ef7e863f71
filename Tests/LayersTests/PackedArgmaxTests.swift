import Foundation
import Testing
@testable import SwiftSightLayers

/// `Linear.argmaxOfRows` (a bfloat16 screen, then the candidate columns in Float32) gives
/// exactly the first argmax of the layer's own Float32 output, also where columns differ only
/// in their last bits and where they tie.
@Suite struct PackedArgmaxTests {
    /// The first argmax of each row of `layer(x)`, the definition the screen must meet.
    static func expected(_ layer: Linear, _ x: Tensor) -> [Int] {
        layer(x).withUnsafeBuffer { $0.firstIndicesOfMaximum(rowWidth: layer.outputSize) }
    }

    @Test(arguments: [Linear.Layout.inputMajor, .outputMajor], [false, true])
    func equalsTheFullProduct(layout: Linear.Layout, withBias: Bool) throws {
        var r = TestRandom(seed: 95)
        for (m, k, n) in [(1, 64, 1000), (3, 37, 49), (1, 768, 4096), (5, 96, 300), (1, 8, 2)] {
            let w = layout == .inputMajor ? try r.tensor([k, n]) : try r.tensor([n, k])
            let layer = Linear(weight: w, bias: withBias ? try r.tensor([n]) : nil, layout: layout).packed(.float32)
            for _ in 0..<4 {
                let x = try r.tensor([m, k], -3, 3)
                #expect(layer.argmaxOfRows(x) == Self.expected(layer, x), "m \(m) k \(k) n \(n)")
            }
        }
    }

    /// Columns equal but for one weight's last bit: the screen cannot tell them apart (both
    /// round to the same bfloat16), so both are recomputed and the Float32 winner is kept.
    @Test func nearTiesAndTies() throws {
        var r = TestRandom(seed: 96)
        let (k, n) = (128, 300)
        var values = try r.tensor([n, k]).scalars
        for p in 0..<k { values[7 * k + p] = values[200 * k + p] }               // column 200 = column 7
        for p in 0..<k { values[50 * k + p] = values[250 * k + p] }
        values[250 * k + 3] = values[250 * k + 3].nextUp                          // 250 a hair off 50
        let w = try Tensor(shape: [n, k], values: values)
        let layer = Linear(weight: w, bias: nil, layout: .outputMajor).packed(.float32)
        // Inputs that make those columns win: aligned with column 7 or 50.
        for column in [7, 50, 250] {
            for scale: Float in [1, 40] {
                let x = try Tensor(shape: [1, k], values: (0..<k).map { values[column * k + $0] * scale })
                let got = layer.argmaxOfRows(x)
                #expect(got == Self.expected(layer, x), "aligned with \(column), scale \(scale)")
            }
        }
        // An exact tie between columns 7 and 200: the first index wins, as torch.argmax.
        let tie = try Tensor(shape: [1, k], values: (0..<k).map { values[7 * k + $0] })
        #expect(layer.argmaxOfRows(tie) == [7])
    }

    @Test func nonFiniteRowsFallBackToTheFullProduct() throws {
        var r = TestRandom(seed: 97)
        let layer = Linear(weight: try r.tensor([16, 40]), bias: nil, layout: .inputMajor).packed(.float32)
        var row = try r.tensor([1, 16]).scalars
        row[3] = .infinity
        let x = try Tensor(shape: [1, 16], values: row)
        #expect(layer.argmaxOfRows(x) == Self.expected(layer, x))
        #expect(try layer.argmaxOfRows(Tensor(shape: [0, 16], values: [])) == [])
    }

    /// BF16 layers and layers left on OpenBLAS compute every output: the same definition.
    @Test func otherPathsUseEveryOutput() throws {
        var r = TestRandom(seed: 98)
        let w = try r.tensor([24, 70]), x = try r.tensor([2, 24])
        for layer in [Linear(weight: w, bias: nil, layout: .inputMajor), Linear(weight: w, bias: nil, layout: .inputMajor).packed(.bfloat16)] {
            #expect(layer.argmaxOfRows(x) == Self.expected(layer, x))
        }
    }
}
