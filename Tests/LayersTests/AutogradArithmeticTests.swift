import Testing
@testable import SwiftSightLayers

@Suite struct AutogradArithmeticTests {
    @Test func binaryOperatorsWithBroadcasting() throws {
        var r = TestRandom(seed: 1)
        let pairs: [([Int], [Int])] = [([2, 3, 4], [2, 3, 4]), ([2, 3, 4], [4]), ([2, 3, 4], [3, 1]),
                                       ([2, 1, 4], [3, 1]), ([1], [2, 3]), ([], [3, 2]), ([2, 3], [2, 1, 3])]
        for (sa, sb) in pairs {
            let a = try r.tensor(sa), b = try r.tensor(sb, 0.5, 2)
            try expectGradientsMatch([a, b]) { try $0[0] + $0[1] }
            try expectGradientsMatch([a, b]) { try $0[0] - $0[1] }
            try expectGradientsMatch([a, b]) { try $0[0] * $0[1] }
            try expectGradientsMatch([a, b]) { try $0[0] / $0[1] }
            try expectGradientsMatch([b, a]) { try $0[0] / $0[1].exp() }
        }
    }

    @Test func broadcastShapesAndValues() throws {
        let a = try Tensor(shape: [2, 1], values: [1, 2])
        let b = try Tensor(shape: [3], values: [10, 20, 30])
        let s = try a + b
        #expect(s.shape == [2, 3])
        #expect(s.scalars == [11, 21, 31, 12, 22, 32])
        #expect(try (b - a).scalars == [9, 19, 29, 8, 18, 28])
        #expect(try (a * b).scalars == [10, 20, 30, 20, 40, 60])
    }

    @Test func scalarOperatorsAndUnaryFunctions() throws {
        var r = TestRandom(seed: 2)
        let x = try r.tensor([3, 4]), positive = try r.tensor([3, 4], 0.5, 2)
        try expectGradientsMatch([x]) { $0[0] + 1.5 }
        try expectGradientsMatch([x]) { 1.5 + $0[0] }
        try expectGradientsMatch([x]) { $0[0] - 0.5 }
        try expectGradientsMatch([x]) { 0.5 - $0[0] }
        try expectGradientsMatch([x]) { $0[0] * 3 }
        try expectGradientsMatch([x]) { -2 * $0[0] }
        try expectGradientsMatch([x]) { $0[0] / 4 }
        try expectGradientsMatch([positive]) { 2 / $0[0] }
        try expectGradientsMatch([x]) { -$0[0] }
        try expectGradientsMatch([x]) { pow($0[0], 2) }
        try expectGradientsMatch([x]) { pow($0[0], 3) }
        try expectGradientsMatch([positive]) { pow($0[0], 0.5) }
        try expectGradientsMatch([positive]) { pow($0[0], -1.5) }
        try expectGradientsMatch([x]) { exp($0[0]) }
        try expectGradientsMatch([positive]) { log($0[0]) }
        try expectGradientsMatch([x]) { var y = $0[0]; try y += try $0[0] * $0[0]; y -= 1; try y *= $0[0]; y /= 2; return y }
    }

    @Test func gradientsSumOverUses() throws {
        let tape = GradientTape()
        let x = tape.watch(try Tensor(shape: [2], values: [1, 2]))
        let y = try (x * x + x * 3).sum()
        let g = try tape.backward(y).gradient(of: x)
        #expect(g.scalars == [5, 7])
    }
}

@Suite struct AutogradCheckerTests {
    /// The finite-difference check must catch a wrong gradient: a detached factor drops a term.
    @Test func checkerCatchesAWrongGradient() throws {
        var r = TestRandom(seed: 3)
        let x = try r.tensor([4], 0.5, 1)
        withKnownIssue {
            try expectGradientsMatch([x]) { try $0[0].detached() * $0[0] }
        }
    }
}
