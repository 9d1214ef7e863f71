import Foundation
import Testing
@_spi(Testing) @testable import SwiftSightLayers

@Suite struct AutogradReductionTests {
    @Test func sumsAndMeans() throws {
        var r = TestRandom(seed: 10)
        let x = try r.tensor([2, 3, 4])
        try expectGradientsMatch([x]) { $0[0].sum() }
        try expectGradientsMatch([x]) { $0[0].mean() }
        try expectGradientsMatch([x]) { try $0[0].sum(axes: [1]) }
        try expectGradientsMatch([x]) { try $0[0].sum(axes: [0, -1], keepingDims: true) }
        try expectGradientsMatch([x]) { try $0[0].mean(axes: [-1]) }
        try expectGradientsMatch([x]) { try $0[0].mean(axes: [0, 2], keepingDims: true) }
    }

    @Test func reductionShapesAndValues() throws {
        let x = try Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        #expect(x.sum().shape == [] && x.sum().scalars == [21])
        #expect(try x.sum(axes: [0]).shape == [3] && x.sum(axes: [0]).scalars == [5, 7, 9])
        #expect(try x.sum(axes: [1], keepingDims: true).shape == [2, 1])
        #expect(try x.mean(axes: [1]).scalars == [2, 5])
        #expect(abs(x.norm().scalars[0] - Float(91.0.squareRoot())) < 1e-5)
        #expect(try x.norm(axis: 0).shape == [3])
    }

    @Test func norms() throws {
        var r = TestRandom(seed: 11)
        let x = try r.tensor([3, 4])
        try expectGradientsMatch([x]) { $0[0].norm() }
        try expectGradientsMatch([x]) { try $0[0].norm(axis: -1) }
        try expectGradientsMatch([x]) { try $0[0].norm(axis: 0, keepingDims: true) }
    }

    @Test func normOfZeroHasZeroGradient() throws {
        let tape = GradientTape()
        let x = tape.watch(try Tensor.zeros([3]))
        #expect(try tape.backward(x.norm()).gradient(of: x).scalars == [0, 0, 0])
    }

    @Test func softmaxAndLogSoftmax() throws {
        var r = TestRandom(seed: 12)
        let x = try r.tensor([3, 5], -2, 2)
        try expectGradientsMatch([x]) { try $0[0].softmax() }
        try expectGradientsMatch([x]) { try $0[0].softmax(axis: 0) }
        try expectGradientsMatch([x]) { try $0[0].logSoftmax() }
        try expectGradientsMatch([x]) { try $0[0].logSoftmax(axis: 0) }
        try expectGradientsMatch([r.tensor([2, 3, 4])]) { try $0[0].softmax(axis: 1) }
        try expectGradientsMatch([x]) { Softmax.apply($0[0]) }
    }

    @Test func logSoftmaxMatchesLogOfSoftmax() throws {
        var r = TestRandom(seed: 13)
        let x = try r.tensor([4, 7], -5, 5)
        #expect(try x.logSoftmax().maxAbsDifference(x.softmax().log()) < 1e-5)
        #expect(try x.softmax().maxAbsDifference(Softmax.apply(x)) == 0)
    }

    @Test func crossEntropy() throws {
        var r = TestRandom(seed: 14)
        let logits = try r.tensor([4, 6], -2, 2)
        try expectGradientsMatch([logits]) { try $0[0].crossEntropy(targets: [1, 0, 5, 3]) }
        try expectGradientsMatch([logits]) { try $0[0].crossEntropy(targets: [1, -100, 5, -100]) }
        // The value: mean of −log p(target).
        let logp = try logits.logSoftmax()
        let want = try -(logp[element: [0, 1]] + logp[element: [2, 5]]) / 2
        #expect(try abs(logits.crossEntropy(targets: [1, -100, 5, -100]).scalars[0] - want) < 1e-6)
    }

    @Test func matrixProducts() throws {
        var r = TestRandom(seed: 15)
        try expectGradientsMatch([r.tensor([3, 4]), r.tensor([4, 2])]) { try $0[0].matmul($0[1]) }
        try expectGradientsMatch([r.tensor([2, 3, 4]), r.tensor([4, 5])]) { try $0[0].matmul($0[1]) }
        try expectGradientsMatch([r.tensor([2, 3, 4]), r.tensor([2, 4, 2])]) { try $0[0].matmul($0[1]) }
        try expectGradientsMatch([r.tensor([3, 4])]) { try $0[0].transposed() }
        let a = try Tensor(shape: [2, 2], values: [1, 2, 3, 4])
        #expect(try a.matmul(a).scalars == [7, 10, 15, 22])
        #expect(try a.transposed().scalars == [1, 3, 2, 4])
    }
}
