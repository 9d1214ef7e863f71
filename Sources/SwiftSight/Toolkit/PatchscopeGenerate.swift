import SwiftSightHooks
import SwiftSightLayers

extension StandardizedTransformer {
    /// Patchscope generate (nnterp's `patchscope_generate`): the source's hidden state at
    /// `layers_output.layer` (position `sourcePosition`) replaces the target prompt's at
    /// `target.indexToPatch` in the same layer, and the target is continued greedily by up to
    /// `maxNewTokens` tokens; one continuation per source.
    ///
    /// The patch is made in the prompt pass (step 0); later steps attend to the patched prompt
    /// through the KV cache.
    /// - Throws: ``ToolkitError`` for a position outside a prompt; generation and trace errors.
    public func patchscopeGenerate(sources: [String], target: TargetPrompt = .repeatPrompt(), layer: Int,
                                   maxNewTokens: Int, sourcePosition: Int = -1) async throws -> [GeneratedText] {
        let targetLength = tokenize(target.prompt).count
        let patched = target.indexToPatch < 0 ? targetLength + target.indexToPatch : target.indexToPatch
        guard (0..<targetLength).contains(patched) else {
            throw ToolkitError("index \(target.indexToPatch) is outside the target \(target.prompt.debugDescription) (\(targetLength) tokens)")
        }
        var outputs: [GeneratedText] = []
        for source in sources {
            let length = tokenize(source).count
            let p = sourcePosition < 0 ? length + sourcePosition : sourcePosition
            guard (0..<length).contains(p) else {
                throw ToolkitError("source position \(sourcePosition) is outside \(source.debugDescription) (\(length) tokens)")
            }
            let hidden = try await trace(source) { t in
                let value = try await t.layersOutput[layer]
                t.stop()
                return value
            }
            let run = try await generate(target.prompt, maxNewTokens: maxNewTokens, steps: 0...0) { _, t in
                try await t.layersOutput.edit(layer) { v in v.copyPosition(patched, from: hidden, sourcePosition: p) }
            }
            outputs += run.outputs
        }
        return outputs
    }
}
