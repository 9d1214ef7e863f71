import Testing
@testable import SwiftSightLayers

@Suite struct AutogradIndexingTests {
    @Test func selectSliceGather() throws {
        var r = TestRandom(seed: 20)
        let x = try r.tensor([2, 3, 4])
        try expectGradientsMatch([x]) { try $0[0].select(axis: 1, index: -1) }
        try expectGradientsMatch([x]) { try $0[0].select(axis: 0, index: 1) }
        try expectGradientsMatch([x]) { try $0[0].select(axis: -1, index: 2) }
        try expectGradientsMatch([x]) { try $0[0].slice(axis: 1, range: 1..<3) }
        try expectGradientsMatch([x]) { try $0[0].slice(axis: 0, range: 1..<2) }
        try expectGradientsMatch([x]) { try $0[0].gather(axis: -1, indices: [0, 3, 1, 2, 2, 0]) }
        try expectGradientsMatch([x]) { try $0[0].gather(axis: 1, indices: [0, 2, 1, 1, 2, 2, 0, 0]) }
    }

    @Test func viewsAndConcatenation() throws {
        var r = TestRandom(seed: 21)
        let x = try r.tensor([3, 4]), y = try r.tensor([2, 4])
        try expectGradientsMatch([x]) { try $0[0].reshaped([2, 6]) * $0[0].reshaped([2, 6]) }
        try expectGradientsMatch([x]) { try $0[0].rows(1..<3) }
        try expectGradientsMatch([x]) { try $0[0][2] * $0[0][0] }
        try expectGradientsMatch([x, y]) { try Tensor(concatenatingRows: [$0[0], $0[1], try $0[0].rows(0..<1)]) }
        // A constant part among tracked ones gets no gradient and breaks nothing.
        try expectGradientsMatch([x]) { try Tensor(concatenatingRows: [$0[0], y]) }
    }

    @Test func indexingValues() throws {
        let x = try Tensor(shape: [2, 3, 2], values: (0..<12).map(Float.init))
        #expect(try x.select(axis: 1, index: -1).scalars == [4, 5, 10, 11])
        #expect(try x.select(axis: 1, index: -1).shape == [2, 2])
        #expect(try x.slice(axis: 1, range: 1..<3).scalars == [2, 3, 4, 5, 8, 9, 10, 11])
        #expect(try x.gather(axis: -1, indices: [1, 0, 1, 0, 0, 1]).scalars == [1, 2, 5, 6, 8, 11])
        let logits = try Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        #expect(try logits.gather(indices: [2, 0]).scalars == [3, 4])
    }
}
