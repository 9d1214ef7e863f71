import Testing
@testable import SwiftSightLayers

@Suite struct OpsTests {
    @Test func linearMatchesNaiveProductInBothLayouts() throws {
        let (rows, k, n) = (5, 7, 3)
        let x = try Tensor(shape: [rows, k], values: (0..<(rows * k)).map { Float($0 % 11) * 0.1 - 0.4 })
        let wIn = try Tensor(shape: [k, n], values: (0..<(k * n)).map { Float($0 % 5) * 0.3 - 0.6 })
        let bias = try Tensor(shape: [n], values: [0.5, -1, 2])
        var wOutValues = [Float](repeating: 0, count: k * n)
        for i in 0..<k { for j in 0..<n { wOutValues[j * k + i] = try wIn[element: [i, j]] } }
        let a = Linear(weight: wIn, bias: bias, layout: .inputMajor)(x)
        let b = Linear(weight: try Tensor(shape: [n, k], values: wOutValues), bias: bias, layout: .outputMajor)(x)
        for r in 0..<rows {
            for j in 0..<n {
                var want = try bias[element: [j]]
                for i in 0..<k { want += try x[element: [r, i]] * wIn[element: [i, j]] }
                #expect(try abs(a[element: [r, j]] - want) < 1e-5)
                #expect(try abs(b[element: [r, j]] - want) < 1e-5)
            }
        }
    }

    @Test func layerNormNormalises() throws {
        let x = try Tensor(shape: [2, 4], values: [1, 2, 3, 4, -1, 0, 0, 5])
        let ln = LayerNorm(weight: try Tensor(shape: [4], values: [1, 2, 1, 1]),
                           bias: try Tensor(shape: [4], values: [0, 0, 1, 0]), epsilon: 1e-5)
        let y = ln(x)
        // Row 0: mean 2.5, variance 1.25.
        let inv = 1 / (1.25 + 1e-5 as Float).squareRoot()
        #expect(try abs(y[element: [0, 0]] - (-1.5 * inv)) < 1e-5)
        #expect(try abs(y[element: [0, 1]] - (-0.5 * inv * 2)) < 1e-5)
        #expect(try abs(y[element: [0, 2]] - (0.5 * inv + 1)) < 1e-5)
    }

    @Test func softmaxRowsSumToOneAndMaskTail() {
        var row: [Float] = [1, 2, 3, 1000]
        row.withUnsafeMutableBufferPointer { Softmax.inPlace($0.baseAddress!, count: 4, validCount: 3) }
        #expect(abs(row[0] + row[1] + row[2] - 1) < 1e-6)
        #expect(row[3] == 0)
        #expect(row[2] > row[1] && row[1] > row[0])
    }

    @Test func viewsShareStorageAndCopyOnWrite() throws {
        let t = try Tensor(shape: [3, 2], values: [1, 2, 3, 4, 5, 6])
        var v = try t[1]
        #expect(v.scalars == [3, 4])
        v.withUnsafeMutableBuffer { $0[0] = 99 }
        #expect(try t[element: [1, 0]] == 3)
        #expect(v.scalars == [99, 4])
        #expect(try t.rows(1..<3).reshaped([4]).scalars == [3, 4, 5, 6])
    }

    @Test func blasRuntimeReportsACore() {
        let info = BLASRuntime.current
        #expect(!info.coreName.isEmpty && info.threads >= 1)
    }
}
