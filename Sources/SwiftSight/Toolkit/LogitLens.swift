import SwiftSightHooks
import SwiftSightLayers
import Synchronization

/// What ``StandardizedTransformer/logitLens(_:position:afterAttention:)`` returns: what each
/// layer's residual stream would predict if the model stopped there.
public struct LogitLens: Sendable {
    /// Probabilities from each layer's output (`layers_output.i`), [prompts, layers, vocab].
    public let layers: Tensor
    /// Probabilities from the residual stream between each layer's attention and MLP
    /// (`layers_input.i + attentions_output.i`), [prompts, layers, vocab]; nil unless asked for.
    public let afterAttention: Tensor?
}

extension StandardizedTransformer {
    /// The logit lens (nnterp's `logit_lens`): at one position of each prompt, every layer's
    /// output projected on the vocabulary (``projectOnVocab(_:)``: final norm, head, softmax).
    ///
    /// - Parameters:
    ///   - position: the token index in each prompt; negative counts from the end (-1: the last).
    ///   - afterAttention: also project the residual stream between attention and MLP.
    /// - Returns: probabilities, [prompts, layers, vocab].
    /// - Throws: ``ToolkitError`` for a position outside a prompt; the trace's errors.
    /// - Complexity: one forward pass (stopped before the head), plus one projection per
    ///   prompt and layer.
    public func logitLens(_ prompts: [String], position: Int = -1, afterAttention: Bool = false) async throws -> LogitLens {
        let lengths = prompts.map { tokenize($0).count }
        let longest = lengths.max() ?? 0
        var positions: [Int] = []
        for (prompt, length) in zip(prompts, lengths) {
            let p = position < 0 ? length + position : position
            guard p >= 0, p < length else {
                throw ToolkitError("position \(position) is outside \(prompt.debugDescription) (\(length) tokens)")
            }
            positions.append(longest - length + p)
        }
        let (layers, indices) = (numLayers, positions)
        let (outputs, middles) = try await trace(prompts) { t in
            var outputs: [Tensor] = [], middles: [Tensor] = []
            for i in 0..<layers {
                if afterAttention {
                    let input = try await t.layersInput[i]
                    middles.append(try (input + (try await t.attentionsOutput[i])).positions(indices))
                }
                outputs.append(try await t.layersOutput[i].positions(indices))
            }
            t.stop()
            return (outputs, middles)
        }
        func lens(_ perLayer: [Tensor]) throws -> Tensor {
            // [layers, prompts, hidden] -> probabilities [prompts, layers, vocab].
            let probs = Softmax.apply(try projectOnVocab(Tensor(uncheckedConcatenatingRows: perLayer)))
            return probs.reshaped(unchecked: [layers, prompts.count, vocabSize]).swappingFirstAxes()
        }
        return LogitLens(layers: try lens(outputs), afterAttention: afterAttention ? try lens(middles) : nil)
    }

    /// The logit lens at every position of one prompt, [layers, positions, vocab]: what each
    /// layer predicts for the token after each position.
    public func logitLensGrid(_ prompt: String) async throws -> Tensor {
        let layers = numLayers
        let outputs = try await trace(prompt) { t in
            var outputs: [Tensor] = []
            for i in 0..<layers { outputs.append(try await t.layersOutput[i]) }
            t.stop()
            return outputs
        }
        let length = outputs.first?.shape[1] ?? 0
        let flat = outputs.map { $0.reshaped(unchecked: [length, hiddenSize]) }
        return Softmax.apply(try projectOnVocab(Tensor(uncheckedConcatenatingRows: flat))).reshaped(unchecked: [layers, length, vocabSize])
    }
}

extension Tensor {
    /// For [n, length, width]: row i's position `indices[i]`, [n, width].
    func positions(_ indices: [Int]) -> Tensor {
        let (n, length, width) = (shape[0], shape[1], shape[2])
        // Internal: logitLens validated the positions against each prompt before the trace.
        precondition(indices.count == n && indices.allSatisfy { (0..<length).contains($0) }, "positions \(indices) of \(shape)")
        return Tensor(uncheckedShape: [n, width]) { out in
            withUnsafeBuffer { p in
                for i in 0..<n {
                    (out.baseAddress! + i * width).update(from: p.baseAddress! + (i * length + indices[i]) * width, count: width)
                }
            }
        }
    }

    /// For [a, b, rest...]: [b, a, rest...]. O(count).
    func swappingFirstAxes() -> Tensor {
        let (a, b) = (shape[0], shape[1])
        let inner = count / max(a * b, 1)
        var newShape = shape
        newShape.swapAt(0, 1)
        return Tensor(uncheckedShape: newShape) { out in
            withUnsafeBuffer { p in
                for i in 0..<a {
                    for j in 0..<b {
                        (out.baseAddress! + (j * a + i) * inner).update(from: p.baseAddress! + (i * b + j) * inner, count: inner)
                    }
                }
            }
        }
    }
}
