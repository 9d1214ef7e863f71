import Testing
@testable import SwiftSightLayers

@Suite struct AutogradTapeTests {
    /// LayerNorm → Linear → gelu → Linear → residual → softmax → cross-entropy, every
    /// parameter watched: all gradients against finite differences.
    @Test func composedChain() throws {
        var r = TestRandom(seed: 50)
        let x = try r.tensor([3, 4])
        let params = [try r.tensor([4], 0.5, 1.5), try r.tensor([4], -0.2, 0.2),     // ln γ, β
                      try r.tensor([4, 8]), try r.tensor([8]),                      // up (Conv1D layout)
                      try r.tensor([4, 8]), try r.tensor([4])]                      // down ([out, in])
        try expectGradientsMatch([x] + params) { t in
            let ln = LayerNorm(weight: t[1], bias: t[2], epsilon: 1e-5)
            let up = Linear(weight: t[3], bias: t[4], layout: .inputMajor)
            let down = Linear(weight: t[5], bias: t[6], layout: .outputMajor)
            var hidden = up(ln(t[0]))
            Activation.geluNew.apply(&hidden)
            var residual = t[0]
            try residual.add(down(hidden))
            return try (residual * 3).softmax().crossEntropy(targets: [0, 3, 2])
        }
    }

    @Test func retainGraphAllowsASecondBackward() throws {
        let tape = GradientTape()
        let x = tape.watch(try Tensor(shape: [3], values: [1, 2, 3]))
        let y = try x * x
        let first = try tape.backward(y.sum(), retainGraph: true).gradient(of: x)
        let second = try tape.backward((y * x).sum()).gradient(of: x)
        #expect(first.scalars == [2, 4, 6])
        #expect(second.scalars == [3, 12, 27])
        #expect(throws: AutogradError.graphFreed) { try tape.backward(y.mean()) }
        #expect(AutogradError.graphFreed.description.contains("retainGraph"))
    }

    @Test func backwardWithoutRetainFreesTheGraph() throws {
        let tape = GradientTape()
        let x = tape.watch(try Tensor(shape: [2], values: [1, 2]))
        let loss = (x * 2).sum()
        _ = try tape.backward(loss)
        #expect(throws: AutogradError.graphFreed) { try tape.backward(loss) }
        // A new graph over the same leaf still works.
        #expect(try tape.backward((x * 3).sum()).gradient(of: x).scalars == [3, 3])
    }

    @Test func gradientEditsCutOnePath() throws {
        let tape = GradientTape()
        let x = tape.watch(try Tensor(shape: [2], values: [1, 2]))
        let middle = x * 2                  // path 1: x → middle → middle·3
        let loss = try (middle * 3 + x * x).sum()  // path 2: x·x
        guard let node = middle.gradientNode else { throw AutogradError.notTracked }
        let zeroed = try tape.backward(loss, retainGraph: true, gradientEdits: [node: { $0 = try Tensor.zeros($0.shape) }])
        #expect(try zeroed.gradient(of: x).scalars == [2, 4])          // only 2x from path 2
        #expect(try zeroed.gradient(of: middle).scalars == [0, 0])
        let scaled = try tape.backward(loss, gradientEdits: [node: { $0 = $0 * 10 }])
        #expect(try scaled.gradient(of: middle).scalars == [30, 30])
        #expect(try scaled.gradient(of: x).scalars == [62, 64])        // 2·30 + 2x
    }

    @Test func gradientEditMustKeepTheShape() throws {
        let tape = GradientTape()
        let x = tape.watch(try Tensor(shape: [2], values: [1, 2]))
        let y = x * 2
        guard let node = y.gradientNode else { throw AutogradError.notTracked }
        #expect(throws: AutogradError.editChangedShape(node: node.index, expected: [2], got: [1])) {
            try tape.backward(y.sum(), gradientEdits: [node: { $0 = try Tensor.zeros([1]) }])
        }
    }

    @Test func untrackedTensorsRecordNothing() throws {
        let tape = GradientTape()
        var r = TestRandom(seed: 51)
        let x = try r.tensor([2, 4]), w = try r.tensor([4, 4])
        var h = LayerNorm(weight: try r.tensor([4]), bias: nil, epsilon: 1e-5)(x)
        h = Linear(weight: w, bias: nil, layout: .inputMajor)(h)
        Activation.relu.apply(&h)
        try h.add(x)
        let loss = try (h.softmax() * 2 + x.matmul(w).exp()).select(axis: 0, index: -1).sum()
        #expect(!loss.isTracked && loss.gradientNode == nil)
        #expect(tape.nodeCount == 0)
        #expect(throws: AutogradError.notTracked) { try tape.backward(loss) }
    }

    @Test func errorsAndZeroGradients() throws {
        let tape = GradientTape(), other = GradientTape()
        let x = tape.watch(try Tensor(shape: [2], values: [1, 2]))
        let unrelated = tape.watch(try Tensor(shape: [3], values: [1, 2, 3]))
        let elsewhere = other.watch(try Tensor(shape: [2], values: [1, 2]))
        #expect(throws: AutogradError.notScalar(shape: [2])) { try tape.backward(x * 2) }
        #expect(throws: AutogradError.differentTape) { try other.backward(x.sum()) }
        let gradients = try tape.backward((x * x).sum())
        #expect(try gradients.gradient(of: unrelated).scalars == [0, 0, 0])
        #expect(throws: AutogradError.notTracked) { try gradients.gradient(of: Tensor.zeros([2])) }
        #expect(throws: AutogradError.differentTape) { try gradients.gradient(of: elsewhere) }
        let later = x * 5
        #expect(throws: (any Error).self) { try gradients.gradient(of: later) }
        // A scalar of shape [1] works too.
        #expect(try tape.backward(x.sum().reshaped([1])).gradient(of: x).scalars == [1, 1])
    }

    @Test func parameterGradientsByName() throws {
        var r = TestRandom(seed: 52)
        let w = try r.tensor([3, 2]), x = try r.tensor([4, 3])
        let tape = GradientTape(parameterGradients: true)
        let watched = tape.watchParameter(w, name: "h.0.mlp.c_fc.weight")
        let input = tape.watch(x)
        let loss = Linear(weight: watched, bias: nil, layout: .inputMajor)(input).sum()
        let gradients = try tape.backward(loss)
        #expect(gradients.parameterNames == ["h.0.mlp.c_fc.weight"])
        #expect(try gradients.parameterGradient("h.0.mlp.c_fc.weight").scalars == gradients.gradient(of: watched).scalars)
        // dW = xᵀ·1: each row of dW is the column sum of x.
        let columnSums = try x.sum(axes: [0]).scalars
        let dW = try gradients.gradient(of: watched)
        for i in 0..<3 { for j in 0..<2 { #expect(try abs(dW[element: [i, j]] - columnSums[i]) < 1e-5) } }
        #expect(throws: AutogradError.unknownParameter("nope")) { try gradients.parameterGradient("nope") }
        // Off: parameters stay constants.
        #expect(!GradientTape().watchParameter(w, name: "w").isTracked)
    }

    @Test func inPlaceAPIs() throws {
        let tape = GradientTape()
        let x = tape.watch(try Tensor(shape: [2], values: [1, 2]))
        var y = x * 1
        let before = y.gradientNode
        y.withUnsafeMutableBuffer { $0[0] = 5 }      // identity for gradients
        #expect(y.gradientNode == before)
        try y.add(x)                                     // recorded out of place
        #expect(y.gradientNode != before && y.scalars == [6, 4])
        #expect(x.scalars == [1, 2])
        #expect(try tape.backward(y.sum()).gradient(of: x).scalars == [2, 2])
    }

    @Test func watchingATrackedTensorKeepsItsHistory() throws {
        let tape = GradientTape()
        let x = tape.watch(try Tensor(shape: [2], values: [1, 2]))
        let h = tape.watch(x * 3)                    // e.g. a hook point watching an activation
        let gradients = try tape.backward((h * h).sum())
        #expect(try gradients.gradient(of: h).scalars == [6, 12])
        #expect(try gradients.gradient(of: x).scalars == [18, 36])
    }

    @Test func concurrentRecordingIsSafe() async throws {
        let tape = GradientTape()
        let x = tape.watch(try Tensor(shape: [4], values: [1, 2, 3, 4]))
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 { group.addTask { for _ in 0..<50 { _ = x * 2 } } }
        }
        #expect(tape.nodeCount == 1 + 8 * 50)
    }

    /// The walk never visits nodes below the lowest one holding a gradient: an edit there does not run.
    @Test func walkStopsAtTheLowestContributingNode() throws {
        let tape = GradientTape()
        let early = tape.watch(try Tensor(shape: [1], values: [1])) * 2
        let x = tape.watch(try Tensor(shape: [1], values: [3]))
        guard let node = early.gradientNode else { throw AutogradError.notTracked }
        let gradients = try tape.backward((x * x).sum(), gradientEdits: [node: { _ in Issue.record("edit of an unreached node ran") }])
        #expect(try gradients.gradient(of: early).scalars == [0])
    }
}
