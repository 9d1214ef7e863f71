import SwiftSightHooks
import SwiftSightLayers
import Synchronization

/// Where a patchscope writes: a prompt and the position whose hidden state is replaced.
public struct TargetPrompt: Sendable, Equatable {
    /// The target prompt.
    public let prompt: String
    /// The position patched; negative counts from the end (-1: the last token).
    public let indexToPatch: Int

    /// A target prompt patched at `indexToPatch`.
    public init(_ prompt: String, indexToPatch: Int = -1) {
        self.prompt = prompt
        self.indexToPatch = indexToPatch
    }

    /// nnterp's `repeat_prompt`: word, relation, word again for each word, joined by `separator`,
    /// ending with `placeholder`, patched at the placeholder; a model that repeats then says what
    /// the patched hidden state stands for. The default is `"cat -> cat\nhello -> hello\n?"`.
    public static func repeatPrompt(words: [String] = ["cat", "hello"], relation: String = " -> ",
                                    separator: String = "\n", placeholder: String = "?") -> TargetPrompt {
        TargetPrompt(words.map { $0 + relation + $0 }.joined(separator: separator) + separator + placeholder, indexToPatch: -1)
    }
}

extension StandardizedTransformer {
    /// The patchscope lens (nnterp's `patchscope_lens`): for each source prompt and layer, the
    /// source's hidden state (`layers_output.layer` at `sourcePosition`) replaces the target
    /// prompt's at `target.indexToPatch` in the same layer, and the target's next-token
    /// probabilities are returned, [sources, layers, vocab].
    ///
    /// One trace: the sources as one invoke, then one invoke per (source, layer).
    /// - Parameter layers: the layers to patch (all if nil), in the result's order.
    /// - Throws: ``ToolkitError`` for a position outside a prompt; the trace's errors.
    public func patchscopeLens(sources: [String], target: TargetPrompt = .repeatPrompt(), layers: [Int]? = nil,
                               sourcePosition: Int = -1) async throws -> Tensor {
        let layers = layers ?? Array(0..<numLayers)
        let lengths = sources.map { tokenize($0).count }
        let longest = lengths.max() ?? 0
        var indices: [Int] = []
        for (source, length) in zip(sources, lengths) {
            let p = sourcePosition < 0 ? length + sourcePosition : sourcePosition
            guard (0..<length).contains(p) else {
                throw ToolkitError("source position \(sourcePosition) is outside \(source.debugDescription) (\(length) tokens)")
            }
            indices.append(longest - length + p)
        }
        let targetLength = tokenize(target.prompt).count
        let patched = target.indexToPatch < 0 ? targetLength + target.indexToPatch : target.indexToPatch
        guard (0..<targetLength).contains(patched) else {
            throw ToolkitError("index \(target.indexToPatch) is outside the target \(target.prompt.debugDescription) (\(targetLength) tokens)")
        }
        let shared = Mutex<[Int: Tensor]>([:])
        let sourceIndices = indices
        var invokes = [Invoke(sources) { t in
            for layer in Set(layers).sorted() {
                let value = try await t.layersOutput[layer].positions(sourceIndices)
                shared.withLock { $0[layer] = value }
            }
            return Tensor.zeros(unchecked: [0])
        }]
        for s in sources.indices {
            for layer in layers {
                invokes.append(Invoke(target.prompt) { t in
                    try await t.layersOutput.edit(layer) { v in
                        guard let source = shared.withLock({ $0[layer] }) else { return }
                        v.copyPosition(patched, from: try source[s].reshaped([1, 1, source.shape[1]]), sourcePosition: 0)
                    }
                    return try await t.nextTokenProbs
                })
            }
        }
        let results = try await trace(invokes: invokes).dropFirst()
        return try Tensor(concatenatingRows: Array(results)).reshaped([sources.count, layers.count, vocabSize])
    }
}
