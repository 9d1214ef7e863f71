import Testing
@_spi(Testing) @testable import SwiftSightLayers

/// Every tensor operation that can fail on its arguments throws a ``TensorError`` naming the
/// operation and the shapes, axes or indices, instead of stopping the process.
@Suite struct TensorErrorTests {
    static let x = Tensor(uncheckedShape: [2, 3, 4], values: (0..<24).map(Float.init))

    /// `body` throws exactly `expected`, and its message names each of `mentions`.
    func expectError(_ expected: TensorError, mentioning mentions: [String],
                     sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("no error; expected \(expected)", sourceLocation: sourceLocation)
        } catch {
            guard let error = error as? TensorError else {
                Issue.record("\(error) is not a TensorError", sourceLocation: sourceLocation)
                return
            }
            #expect(error == expected, sourceLocation: sourceLocation)
            for m in mentions {
                #expect(error.description.contains(m), "\"\(error.description)\" does not mention \(m)", sourceLocation: sourceLocation)
            }
        }
    }

    @Test func operatorsRejectShapesThatDoNotBroadcast() throws {
        let v = Tensor(uncheckedShape: [1, 6, 96], repeating: 1)
        let w = Tensor(uncheckedShape: [95], repeating: 1)
        expectError(.shapesDoNotBroadcast(operation: "+", [1, 6, 96], [95]), mentioning: ["`+`", "[1, 6, 96]", "[95]"]) { _ = try v + w }
        expectError(.shapesDoNotBroadcast(operation: "-", [95], [1, 6, 96]), mentioning: ["`-`"]) { _ = try w - v }
        expectError(.shapesDoNotBroadcast(operation: "*", [1, 6, 96], [95]), mentioning: ["`*`"]) { _ = try v * w }
        expectError(.shapesDoNotBroadcast(operation: "/", [1, 6, 96], [95]), mentioning: ["`/`"]) { _ = try v / w }
        var y = v
        expectError(.shapesDoNotBroadcast(operation: "+", [1, 6, 96], [95]), mentioning: ["`+`"]) { try y += w }
        #expect(y.shape == [1, 6, 96])  // unchanged by the failed `+=`
        expectError(.shapeMismatch(operation: "add", shapes: [[1, 6, 96], [96]], requirement: "add needs the same shape (use + to broadcast)"),
                    mentioning: ["`add`", "[96]"]) { try y.add(Tensor(uncheckedShape: [96], repeating: 1)) }
        expectError(.shapeMismatch(operation: "maxAbsDifference", shapes: [[1, 6, 96], [95]], requirement: "the same shape"),
                    mentioning: ["maxAbsDifference"]) { _ = try v.maxAbsDifference(w) }
        // What does broadcast still does.
        #expect(try (v + Tensor(uncheckedShape: [96], repeating: 2)).scalars.allSatisfy { $0 == 3 })
    }

    @Test func constructorsRejectBadShapesAndCounts() throws {
        expectError(.valueCount(operation: "Tensor(shape:values:)", shape: [2, 3], expected: 6, got: 5),
                    mentioning: ["Tensor(shape:values:)", "[2, 3]", "6", "5"]) { _ = try Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5]) }
        expectError(.negativeExtent(operation: "zeros", shape: [2, -1]), mentioning: ["zeros", "[2, -1]"]) { _ = try Tensor.zeros([2, -1]) }
        expectError(.negativeExtent(operation: "Tensor(repeating:shape:)", shape: [-3]), mentioning: ["[-3]"]) {
            _ = try Tensor(repeating: 1, shape: [-3])
        }
        // A count that overflows Int, one whose bytes overflow, and one that cannot be allocated.
        expectError(.tooManyElements(operation: "zeros", shape: [Int.max, 2]), mentioning: ["zeros"]) { _ = try Tensor.zeros([Int.max, 2]) }
        expectError(.tooManyElements(operation: "zeros", shape: [1 << 62]), mentioning: ["zeros"]) { _ = try Tensor.zeros([1 << 62]) }
        expectError(.allocationFailed(operation: "zeros", shape: [1 << 50], bytes: 4 << 50), mentioning: ["zeros", "bytes"]) {
            _ = try Tensor.zeros([1 << 50])
        }
        #expect(try Tensor.zeros([Int.max, 2, 0]).count == 0)  // a zero extent makes it empty, not an overflow
        do {
            _ = try Tensor(uninitializedShape: [-1]) { _ in }
            Issue.record("no error")
        } catch let error as TensorError {
            #expect(error == .negativeExtent(operation: "Tensor(uninitializedShape:)", shape: [-1]))
        }
        let storage = try TensorStorage(uninitializedCount: 10)
        expectError(.viewOutOfStorage(shape: [3, 3], offset: 2, storageCount: 10), mentioning: ["`Tensor(shape:storage:offset:)`", "[3, 3]", "offset 2", "10"]) {
            _ = try Tensor(shape: [3, 3], storage: storage, offset: 2)
        }
        expectError(.viewOutOfStorage(shape: [1], offset: Int.max, storageCount: 10), mentioning: []) {
            _ = try Tensor(shape: [1], storage: storage, offset: Int.max)
        }
        expectError(.negativeExtent(operation: "TensorStorage(uninitializedCount:)", shape: [-1]), mentioning: []) {
            _ = try TensorStorage(uninitializedCount: -1)
        }
    }

    @Test func viewsAndIndicesRejectWhatIsOutOfRange() throws {
        let x = Self.x
        expectError(.reshapeCount(from: [2, 3, 4], to: [5, 5]), mentioning: ["reshaped", "[2, 3, 4]", "24", "[5, 5]", "25"]) {
            _ = try x.reshaped([5, 5])
        }
        expectError(.negativeExtent(operation: "reshaped", shape: [-4, -6]), mentioning: []) { _ = try x.reshaped([-4, -6]) }
        expectError(.rangeOutOfRange(operation: "rows", range: 1..<3, axis: 0, shape: [2, 3, 4]), mentioning: ["rows", "1..<3"]) {
            _ = try x.rows(1..<3)
        }
        expectError(.indexOutOfRange(operation: "subscript", index: 2, axis: 0, extent: 2, shape: [2, 3, 4]),
                    mentioning: ["subscript", "index 2", "[2, 3, 4]"]) { _ = try x[2] }
        expectError(.indexOutOfRange(operation: "subscript", index: -3, axis: 0, extent: 2, shape: [2, 3, 4]), mentioning: []) { _ = try x[-3] }
        #expect(try x[-1].scalars == Array(12..<24).map(Float.init))  // negative counts from the end
        expectError(.rank(operation: "subscript", expected: "rank 1 or more", shape: []), mentioning: []) {
            _ = try Tensor(uncheckedShape: [], values: [1])[0]
        }
        expectError(.indexCount(operation: "subscript(element:)", expected: 3, got: 2, shape: [2, 3, 4]), mentioning: ["subscript(element:)"]) {
            _ = try x[element: [0, 0]]
        }
        expectError(.indexOutOfRange(operation: "subscript(element:)", index: 4, axis: 2, extent: 4, shape: [2, 3, 4]),
                    mentioning: ["index 4", "axis 2"]) { _ = try x[element: [0, 0, 4]] }
        #expect(try x[element: [1, -1, -1]] == 23)
        expectError(.axisOutOfRange(operation: "select", axis: 3, shape: [2, 3, 4]), mentioning: ["select", "axis 3"]) {
            _ = try x.select(axis: 3, index: 0)
        }
        expectError(.indexOutOfRange(operation: "select", index: 3, axis: 1, extent: 3, shape: [2, 3, 4]), mentioning: ["select"]) {
            _ = try x.select(axis: 1, index: 3)
        }
        expectError(.rangeOutOfRange(operation: "slice", range: 2..<5, axis: 2, shape: [2, 3, 4]), mentioning: ["slice", "2..<5", "axis 2"]) {
            _ = try x.slice(axis: -1, range: 2..<5)
        }
        expectError(.axisOutOfRange(operation: "slice", axis: -4, shape: [2, 3, 4]), mentioning: []) { _ = try x.slice(axis: -4, range: 0..<1) }
        expectError(.indexCount(operation: "gather", expected: 6, got: 2, shape: [2, 3, 4]), mentioning: ["gather"]) {
            _ = try x.gather(indices: [0, 1])
        }
        expectError(.indexOutOfRange(operation: "gather", index: 4, axis: 2, extent: 4, shape: [2, 3, 4]), mentioning: ["gather", "index 4"]) {
            _ = try x.gather(indices: [0, 1, 2, 3, 4, 0])
        }
        expectError(.rank(operation: "transposed", expected: "a rank-2 tensor", shape: [2, 3, 4]), mentioning: ["transposed", "[2, 3, 4]"]) {
            _ = try x.transposed()
        }
        expectError(.shapeMismatch(operation: "Tensor(concatenatingRows:)", shapes: [[2, 3], [1, 4]], requirement: "every part needs the same width"),
                    mentioning: ["concatenatingRows", "[2, 3]", "[1, 4]"]) {
            _ = try Tensor(concatenatingRows: [Tensor.zeros(unchecked: [2, 3]), Tensor.zeros(unchecked: [1, 4])])
        }
        expectError(.rank(operation: "Tensor(concatenatingRows:)", expected: "rank-2 parts", shape: [2, 3, 4]), mentioning: []) {
            _ = try Tensor(concatenatingRows: [x])
        }
    }

    @Test func reductionsProductsAndSoftmaxRejectBadAxesAndShapes() throws {
        let x = Self.x
        expectError(.axisOutOfRange(operation: "sum(axes:)", axis: 5, shape: [2, 3, 4]), mentioning: ["sum(axes:)", "axis 5"]) {
            _ = try x.sum(axes: [5])
        }
        expectError(.repeatedAxis(operation: "mean(axes:)", axes: [1, -2], shape: [2, 3, 4]), mentioning: ["mean(axes:)", "[1, -2]"]) {
            _ = try x.mean(axes: [1, -2])
        }
        expectError(.axisOutOfRange(operation: "norm(axis:)", axis: -4, shape: [2, 3, 4]), mentioning: ["norm(axis:)"]) { _ = try x.norm(axis: -4) }
        expectError(.axisOutOfRange(operation: "softmax", axis: 3, shape: [2, 3, 4]), mentioning: ["softmax"]) { _ = try x.softmax(axis: 3) }
        expectError(.axisOutOfRange(operation: "logSoftmax", axis: 0, shape: []), mentioning: ["logSoftmax"]) {
            _ = try Tensor(uncheckedShape: [], values: [1]).logSoftmax(axis: 0)
        }
        let a = Tensor.zeros(unchecked: [2, 3]), b = Tensor.zeros(unchecked: [4, 5])
        expectError(.shapeMismatch(operation: "matmul", shapes: [[2, 3], [4, 5]],
                                   requirement: "the last axis of the first (3) must equal the second-to-last of the second (4)"),
                    mentioning: ["matmul", "[2, 3]", "[4, 5]"]) { _ = try a.matmul(b) }
        expectError(.shapeMismatch(operation: "matmul", shapes: [[2, 3], [2, 3, 4]],
                                   requirement: "matmul supports [m, k]·[k, n], [b, m, k]·[k, n] and [b, m, k]·[b, k, n]"),
                    mentioning: ["matmul"]) { _ = try a.matmul(Tensor.zeros(unchecked: [2, 3, 4])) }
        let logits = Tensor.zeros(unchecked: [3, 5])
        expectError(.indexCount(operation: "crossEntropy", expected: 3, got: 2, shape: [3, 5]), mentioning: ["crossEntropy"]) {
            _ = try logits.crossEntropy(targets: [0, 1])
        }
        expectError(.indexOutOfRange(operation: "crossEntropy", index: 5, axis: nil, extent: 5, shape: [3, 5]), mentioning: ["index 5"]) {
            _ = try logits.crossEntropy(targets: [0, 5, -100])
        }
        expectError(.rank(operation: "crossEntropy", expected: "logits [N, V] (rank 2)", shape: [2, 3, 4]), mentioning: []) {
            _ = try x.crossEntropy(targets: [0, 1])
        }
    }

    @Test func runsOutsideTheirTensorsAreRejected() throws {
        let x = Self.x
        let run = Tensor.Run(source: 20, destination: 0, count: 5)
        expectError(.runOutOfRange(operation: "gatheringRuns", run: run, sourceCount: 24, destinationCount: 10), mentioning: ["gatheringRuns"]) {
            _ = try x.gatheringRuns([run], shape: [10])
        }
        let huge = Tensor.Run(source: 0, destination: Int.max, count: 2)
        expectError(.runOutOfRange(operation: "overwritingRuns", run: huge, sourceCount: 4, destinationCount: 24), mentioning: ["overwritingRuns"]) {
            _ = try x.overwritingRuns([huge], from: Tensor.zeros(unchecked: [4]))
        }
        expectError(.negativeExtent(operation: "gatheringRuns", shape: [-2]), mentioning: []) { _ = try x.gatheringRuns([], shape: [-2]) }
    }

    @Test func valuesFromTwoTapesDoNotMix() throws {
        let (tape1, tape2) = (GradientTape(), GradientTape())
        let a = tape1.watch(Tensor.zeros(unchecked: [2, 2]))
        let b = tape2.watch(Tensor.zeros(unchecked: [2, 2]))
        expectError(.differentTapes(operation: "+"), mentioning: ["`+`", "detached()"]) { _ = try a + b }
        expectError(.differentTapes(operation: "matmul"), mentioning: ["matmul"]) { _ = try a.matmul(b) }
        expectError(.differentTapes(operation: "Tensor(concatenatingRows:)"), mentioning: []) { _ = try Tensor(concatenatingRows: [a, b]) }
        // Detaching one side is the way out.
        #expect(try (a + b.detached()).gradientNode?.tapeID == tape1.id)
    }

    @Test func emptyAxesGiveEmptyOrZeroResultsNotCrashes() throws {
        // An inner size of 0 sums nothing: zeros, not uninitialised memory.
        let product = try Tensor.zeros([3, 0]).matmul(Tensor.zeros([0, 4]))
        #expect(product.shape == [3, 4] && product.scalars.allSatisfy { $0 == 0 })
        let filled = try Tensor(repeating: 1, shape: [2, 3, 0]).matmul(Tensor(repeating: 1, shape: [2, 0, 5]))
        #expect(filled.shape == [2, 3, 5] && filled.scalars.allSatisfy { $0 == 0 })
        #expect(try Tensor.zeros([0, 2, 3]).matmul(Tensor.zeros([0, 3, 4])).shape == [0, 2, 4])   // an empty batch
        #expect(try Tensor.zeros([2, 0]).softmax(axis: 1).shape == [2, 0])
        #expect(try Tensor.zeros([0, 5]).sum(axes: [0]).scalars == [0, 0, 0, 0, 0])
        #expect(try Tensor.zeros([2, 0]).mean(axes: [1]).shape == [2])
        #expect(try Tensor(concatenatingRows: []).shape == [0, 0])
    }
}
