import Testing
@testable import Layers

@Suite struct AutogradArithmeticTests {
    @Test func binaryOperatorsWithBroadcasting() {
        var r = TestRandom(seed: 1)
        let pairs: [([Int], [Int])] = [([2, 3, 4], [2, 3, 4]), ([2, 3, 4], [4]), ([2, 3, 4], [3, 1]),
                                       ([2, 1, 4], [3, 1]), ([1], [2, 3]), ([], [3, 2]), ([2, 3], [2, 1, 3])]
        for (sa, sb) in pairs {
            let a = r.tensor(sa), b = r.tensor(sb, 0.5, 2)
            expectGradientsMatch([a, b]) { $0[0] + $0[1] }
            expectGradientsMatch([a, b]) { $0[0] - $0[1] }
            expectGradientsMatch([a, b]) { $0[0] * $0[1] }
            expectGradientsMatch([a, b]) { $0[0] / $0[1] }
            expectGradientsMatch([b, a]) { $0[0] / $0[1].exp() }
        }
    }

    @Test func broadcastShapesAndValues() {
        let a = Tensor(shape: [2, 1], values: [1, 2])
        let b = Tensor(shape: [3], values: [10, 20, 30])
        let s = a + b
        #expect(s.shape == [2, 3])
        #expect(s.scalars == [11, 21, 31, 12, 22, 32])
        #expect((b - a).scalars == [9, 19, 29, 8, 18, 28])
        #expect((a * b).scalars == [10, 20, 30, 20, 40, 60])
    }

    @Test func scalarOperatorsAndUnaryFunctions() {
        var r = TestRandom(seed: 2)
        let x = r.tensor([3, 4]), positive = r.tensor([3, 4], 0.5, 2)
        expectGradientsMatch([x]) { $0[0] + 1.5 }
        expectGradientsMatch([x]) { 1.5 + $0[0] }
        expectGradientsMatch([x]) { $0[0] - 0.5 }
        expectGradientsMatch([x]) { 0.5 - $0[0] }
        expectGradientsMatch([x]) { $0[0] * 3 }
        expectGradientsMatch([x]) { -2 * $0[0] }
        expectGradientsMatch([x]) { $0[0] / 4 }
        expectGradientsMatch([positive]) { 2 / $0[0] }
        expectGradientsMatch([x]) { -$0[0] }
        expectGradientsMatch([x]) { pow($0[0], 2) }
        expectGradientsMatch([x]) { pow($0[0], 3) }
        expectGradientsMatch([positive]) { pow($0[0], 0.5) }
        expectGradientsMatch([positive]) { pow($0[0], -1.5) }
        expectGradientsMatch([x]) { exp($0[0]) }
        expectGradientsMatch([positive]) { log($0[0]) }
        expectGradientsMatch([x]) { var y = $0[0]; y += $0[0] * $0[0]; y -= 1; y *= $0[0]; y /= 2; return y }
    }

    @Test func gradientsSumOverUses() throws {
        let tape = GradientTape()
        let x = tape.watch(Tensor(shape: [2], values: [1, 2]))
        let y = (x * x + x * 3).sum()
        let g = try tape.backward(y).gradient(of: x)
        #expect(g.scalars == [5, 7])
    }
}

@Suite struct AutogradCheckerTests {
    /// The finite-difference check must catch a wrong gradient: a detached factor drops a term.
    @Test func checkerCatchesAWrongGradient() {
        var r = TestRandom(seed: 3)
        let x = r.tensor([4], 0.5, 1)
        withKnownIssue {
            expectGradientsMatch([x]) { $0[0].detached() * $0[0] }
        }
    }
}
