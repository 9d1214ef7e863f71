import SwiftSightHooks
import SwiftSightLayers

/// Runs a ``TransformerModel`` from token ids to logits, firing every hook point in order.
public enum ForwardPass {
    /// The packed logits of `batch`, [rows, vocab]. `hook` sees (and may change) each point.
    public static func run(_ model: some TransformerModel, _ batch: TokenBatch,
                           hook: HookHandler = { _, _ in }) async throws -> Tensor {
        var embeddings = model.tokenEmbeddings(batch)
        try await hook(.tokenEmbeddings, &embeddings)
        var x = model.firstLayerInput(tokenEmbeddings: embeddings, batch: batch)
        for i in 0..<model.info.numLayers {
            try await hook(.layerInput(i), &x)
            x = try await model.block(i, x, batch: batch, hook: hook)
            try await hook(.layerOutput(i), &x)
        }
        var normed = model.finalNorm(x)
        try await hook(.lnFinal, &normed)
        var logits = model.unembed(normed)
        try await hook(.logits, &logits)
        return logits
    }
}
