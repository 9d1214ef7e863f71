import SwiftSightHooks
import SwiftSightLayers
import SwiftSightModels

/// Runs a ``TransformerModel`` from token ids to logits, firing every hook point in order: a
/// plain sequential driver of the model's pieces, so the tests check the layer math without
/// the pipeline. Test-only, hence here and not in the library.
package enum ForwardPass {
    /// The packed logits of `batch`, [rows, vocab]. `hook` sees (and may change) each point.
    package static func run(_ model: some TransformerModel, _ batch: TokenBatch,
                            hook: @escaping HookHandler = { _, _ in }) async throws -> Tensor {
        var embeddings = model.tokenEmbeddings(batch)
        try await hook(.tokenEmbeddings, &embeddings)
        var x = model.firstLayerInput(tokenEmbeddings: embeddings, batch: batch)
        let context = BlockContext(batch: batch, hook: hook)
        for i in 0..<model.info.numLayers {
            try await hook(.layerInput(i), &x)
            x = try await model.block(i, x, context: context)
            try await hook(.layerOutput(i), &x)
        }
        var normed = model.finalNorm(x)
        try await hook(.lnFinal, &normed)
        var logits = model.unembed(normed)
        try await hook(.logits, &logits)
        return logits
    }
}
