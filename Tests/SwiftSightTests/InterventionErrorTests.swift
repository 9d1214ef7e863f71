import Foundation
import SwiftSight
@_spi(Testing) import SwiftSightLayers
import SwiftSightEmbeddedModel
import Testing

/// Intervention code is user code: each mistake it can make with the tensor API reaches the
/// caller as a typed error naming the operation and the shapes, and the model stays usable
/// (a correct trace afterwards equals the same trace on a freshly loaded model).
@Suite struct InterventionErrorTests {
    static let prompt = "My tailor is rich"
    /// The embedded model's width.
    static let width = 128

    /// A correct intervention: adds a fixed vector to layer 1's output, returns the logits.
    static func steered(_ model: StandardizedTransformer, _ prompt: String = prompt) async throws -> Tensor {
        let v = try Tensor(shape: [width], values: (0..<width).map { Float($0 % 7) * 0.1 - 0.3 })
        return try await model.trace(prompt) { t in
            try await t.layersOutput.edit(1) { $0 = try $0 + v }
            return try await t.logits
        }
    }

    /// The logits of ``steered(_:_:)`` on a model loaded for the purpose.
    static func fresh(_ prompt: String = prompt) async throws -> Tensor {
        try await steered(StandardizedTransformer(.embedded), prompt)
    }

    /// `body` throws an error of type `E`, equal to `expected` when given, whose message names
    /// each of `mentions`; then the model still gives a fresh model's result.
    func expectError<E: Error & Equatable>(
        _ type: E.Type, _ expected: E? = nil, mentioning mentions: [String], on model: StandardizedTransformer,
        sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void
    ) async throws {
        do {
            try await body()
            Issue.record("no error", sourceLocation: sourceLocation)
        } catch let error as E {
            if let expected { #expect(error == expected, sourceLocation: sourceLocation) }
            let message = "\(error)"
            for m in mentions { #expect(message.contains(m), "\"\(message)\" does not mention \(m)", sourceLocation: sourceLocation) }
        } catch {
            Issue.record("\(error) is not a \(E.self)", sourceLocation: sourceLocation)
        }
        let (after, reference) = (try await Self.steered(model), try await Self.fresh())
        #expect(try after.maxAbsDifference(reference) <= 1e-5, "model not usable after the error", sourceLocation: sourceLocation)
    }

    @Test func shapesThatDoNotBroadcastReachTheCaller() async throws {
        let model = try await StandardizedTransformer(.embedded)
        let n = model.tokenize(Self.prompt).count
        // The issue's example: a [95] vector added to a width-128 value.
        let wrong = try Tensor(shape: [95], values: Array(repeating: 1, count: 95))
        try await expectError(TensorError.self, .shapesDoNotBroadcast(operation: "+", [1, n, 128], [95]),
                              mentioning: ["`+`", "[1, \(n), 128]", "[95]"], on: model) {
            _ = try await model.trace(Self.prompt) { t in
                try await t.layersOutput.edit(1) { $0 = try $0 + wrong }
                return try await t.logits
            }
        }
        try await expectError(TensorError.self, mentioning: ["matmul"], on: model) {
            _ = try await model.trace(Self.prompt) { t in
                let v = try await t.mlpsOutput[0]
                return try v.matmul(Tensor.zeros([127, 3]))
            }
        }
    }

    @Test func indicesSlicesAndReshapesOutOfRangeReachTheCaller() async throws {
        let model = try await StandardizedTransformer(.embedded)
        let n = model.tokenize(Self.prompt).count
        try await expectError(TensorError.self, .indexOutOfRange(operation: "subscript", index: 3, axis: 0, extent: 1, shape: [1, n, 128]),
                              mentioning: ["subscript", "index 3"], on: model) {
            _ = try await model.trace(Self.prompt) { t in try await t.layersOutput[0][3] }
        }
        try await expectError(TensorError.self, .rangeOutOfRange(operation: "slice", range: 0..<100, axis: 1, shape: [1, n, 128]),
                              mentioning: ["slice", "0..<100"], on: model) {
            _ = try await model.trace(Self.prompt) { t in
                try await t.layersOutput.edit(0) { v in v = try v.slice(axis: 1, range: 0..<100) }
            }
        }
        try await expectError(TensorError.self, .reshapeCount(from: [1, n, 128], to: [n, 127]),
                              mentioning: ["reshaped", "[\(n), 127]"], on: model) {
            _ = try await model.trace(Self.prompt) { t in try await t.layersOutput[2].reshaped([n, 127]) }
        }
        try await expectError(TensorError.self, mentioning: ["select", "index 9"], on: model) {
            _ = try await model.trace(Self.prompt) { t in try await t.logits.select(axis: 1, index: 9) }
        }
        try await expectError(TraceError.self, .layerOutOfRange(.layerOutput(-1), layers: model.numLayers),
                              mentioning: ["layers_output.-1"], on: model) {
            _ = try await model.trace(Self.prompt) { t in try await t.layersOutput[-1] }
        }
    }

    @Test func valuesOfTheWrongShapeAreRefused() async throws {
        let model = try await StandardizedTransformer(.embedded)
        let n = model.tokenize(Self.prompt).count
        let narrow = try Tensor.zeros([1, n, 127])
        try await expectError(TraceError.self, .shapeMismatch(.layerOutput(1), expected: [1, n, 128], got: [1, n, 127]),
                              mentioning: ["layers_output.1", "[1, \(n), 127]"], on: model) {
            _ = try await model.trace(Self.prompt) { t in
                try await t.layersOutput.set(1, to: narrow)
                return try await t.logits
            }
        }
        // An edit closure that changes the shape.
        try await expectError(TraceError.self, .shapeMismatch(.mlpOutput(0), expected: [1, n, 128], got: [1, n, 64]),
                              mentioning: ["mlps_output.0"], on: model) {
            _ = try await model.trace(Self.prompt) { t in
                try await t.mlpsOutput.edit(0) { $0 = try $0.slice(axis: 2, range: 0..<64) }
                return try await t.logits
            }
        }
        try await expectError(TraceError.self, .shapeMismatch(.layerOutput(1), expected: [1, n, 128], got: [1, n, 127]),
                              mentioning: ["[1, \(n), 127]"], on: model) {
            _ = try await model.trace(Self.prompt) { t in
                try await t.skipLayer(1, output: narrow)
                return try await t.logits
            }
        }
        let heads = model.numHeads
        try await expectError(TraceError.self, .shapeMismatch(.attentionProbabilities(0), expected: [1, heads, n, n], got: [1, heads, n, n - 1]),
                              mentioning: ["attention_probabilities.0"], on: model) {
            _ = try await model.trace(Self.prompt) { t in
                try await t.attentionProbabilities.set(0, to: Tensor.zeros([1, heads, n, n - 1]))
                return try await t.logits
            }
        }
        try await expectError(ToolkitError.self, mentioning: ["128", "[127]"], on: model) {
            _ = try await model.steer([Self.prompt], layers: [1], vector: Tensor.zeros([127]))
        }
        try await expectError(ToolkitError.self, mentioning: ["[2, 64]"], on: model) {   // 128 values, not [128]
            _ = try await model.steer([Self.prompt], layers: [1], vector: Tensor.zeros([2, 64]))
        }
    }

    @Test func mistakesInAGradientTraceReachTheCaller() async throws {
        let model = try await StandardizedTransformer(.embedded)
        /// d(sum of logits)/d(layers_output.1): the correct gradient trace.
        func gradient(_ model: StandardizedTransformer) async throws -> Tensor {
            try await model.trace(Self.prompt, gradients: .activations) { t in
                _ = try await t.layersOutput[1]
                let g = try await t.backward(try await t.logits.sum())
                return try g.gradient(at: .layerOutput(1))
            }
        }
        let reference = try await gradient(StandardizedTransformer(.embedded))
        try await expectError(AutogradError.self, .notScalar(shape: [1, model.tokenize(Self.prompt).count, model.vocabSize]),
                              mentioning: ["scalar"], on: model) {
            _ = try await model.trace(Self.prompt, gradients: .activations) { t in try await t.backward(try await t.logits) }
        }
        try await expectError(AutogradError.self, mentioning: ["changed the gradient's shape"], on: model) {
            _ = try await model.trace(Self.prompt, gradients: .activations) { t in
                _ = try await t.mlpsOutput[1]
                return try await t.backward(try await t.logits.sum(), editing: [.mlpOutput(1): { $0 = try Tensor.zeros([3]) }])
            }
        }
        try await expectError(TensorError.self, mentioning: ["`*`", "[3]"], on: model) {
            _ = try await model.trace(Self.prompt, gradients: .activations) { t in
                _ = try await t.mlpsOutput[1]
                let mask = try Tensor(shape: [3], values: [1, 0, 1])
                return try await t.backward(try await t.logits.sum(), editing: [.mlpOutput(1): { $0 = try $0 * mask }])
            }
        }
        try await expectError(TensorError.self, mentioning: ["crossEntropy"], on: model) {
            _ = try await model.trace(Self.prompt, gradients: .activations) { t in
                let logits = try await t.logits
                return try await t.backward(try logits[0].crossEntropy(targets: [1, 2]))
            }
        }
        #expect(try await gradient(model).maxAbsDifference(reference) <= 1e-5)
    }

    @Test func valuesFromAnotherTraceWithGradientsAreConstantsHere() async throws {
        let model = try await StandardizedTransformer(.embedded)
        // A value tracked on another trace's tape: mixing it into this trace's operations is an
        // error; setting it makes it a constant of this trace (it cannot send gradients there).
        let other = try await model.trace(Self.prompt, gradients: .activations) { t in try await t.layersOutput[1] }
        #expect(other.isTracked)
        try await expectError(TensorError.self, .differentTapes(operation: "+"), mentioning: ["GradientTapes"], on: model) {
            _ = try await model.trace(Self.prompt, gradients: .activations) { t in
                try await t.layersOutput.edit(1) { $0 = try $0 + other }
            }
        }
        let (read, logits) = try await model.trace(Self.prompt, gradients: .activations) { t in
            let read = try await t.layersOutput[0]
            try await t.layersOutput.set(1, to: other)
            return (read, try await t.logits)
        }
        let plain = try await model.trace(Self.prompt) { t in try await t.logits }
        #expect(try logits.maxAbsDifference(plain) <= 1e-5)   // layer 1 set to its own value
        #expect(read.isTracked && !logits.isTracked)          // the graph is cut at the constant
    }

    @Test func aMistakeInAPerStepInterventionEndsTheGeneration() async throws {
        let model = try await StandardizedTransformer(.embedded)
        let plain = try await model.generate(Self.prompt, maxNewTokens: 4, stopAtEndOfText: false)
        let wrong = try Tensor.zeros([95])
        try await expectError(TensorError.self, .shapesDoNotBroadcast(operation: "+", [1, 1, 128], [95]),
                              mentioning: ["`+`", "[1, 1, 128]"], on: model) {
            _ = try await model.generate(Self.prompt, maxNewTokens: 4, stopAtEndOfText: false, steps: 2...) { _, t in
                try await t.layersOutput.edit(1) { $0 = try $0 + wrong }
            }
        }
        #expect(try await model.generate(Self.prompt, maxNewTokens: 4, stopAtEndOfText: false) == plain)
        let fresh = try await StandardizedTransformer(.embedded).generate(Self.prompt, maxNewTokens: 4, stopAtEndOfText: false)
        #expect(plain == fresh)
    }

    @Test func concurrentTracesWhereSomeErr() async throws {
        let model = try await StandardizedTransformer(.embedded)
        let prompts = ["My tailor is rich", "In the beginning", "And God said", "Let there be light"]
        var references: [Tensor] = []
        for p in prompts { references.append(try await Self.fresh(p)) }
        let wrong = try Tensor.zeros([95])
        let outcomes = await withTaskGroup(of: (Int, Result<Tensor, any Error>).self) { group in
            for i in 0..<16 {
                group.addTask {
                    let prompt = prompts[i % prompts.count]
                    do {
                        if i % 2 == 1 {
                            return (i, .success(try await Self.steered(model, prompt)))
                        }
                        return (i, .success(try await model.trace(prompt) { t in
                            try await t.layersOutput.edit(i % 3) { $0 = try $0 + wrong }
                            return try await t.logits
                        }))
                    } catch {
                        return (i, .failure(error))
                    }
                }
            }
            var all: [(Int, Result<Tensor, any Error>)] = []
            for await outcome in group { all.append(outcome) }
            return all
        }
        #expect(outcomes.count == 16)
        for (i, outcome) in outcomes {
            switch outcome {
            case .success(let logits):
                #expect(i % 2 == 1, "trace \(i) should have failed")
                #expect(try logits.maxAbsDifference(references[i % prompts.count]) <= 1e-5, "trace \(i)")
            case .failure(let error):
                #expect(i % 2 == 0, "trace \(i) failed: \(error)")
                #expect(error is TensorError, "trace \(i): \(error)")
            }
        }
        #expect(try await Self.steered(model).maxAbsDifference(references[0]) <= 1e-5)
    }
}
