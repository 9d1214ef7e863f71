import SwiftSightHooks
import SwiftSightLayers

/// Observes, and may change, the packed [rows, width] value at a hook point. Called in forward order.
package typealias HookHandler = @Sendable (HookPoint, inout Tensor) async throws -> Void

/// One architecture's forward pass, in the pieces the pipeline runs.
///
/// Activations are packed [rows, hidden] tensors over a ``TokenBatch``. A block fires its
/// inner hook points (attention and MLP, inputs and outputs) through its ``BlockContext``; the
/// driver (the pipeline's stages) fires the points between blocks.
package protocol TransformerModel: Sendable {
    /// Sizes and module names.
    var info: ModelInfo { get }
    /// The token embedding lookup, [rows, hidden].
    func tokenEmbeddings(_ batch: TokenBatch) -> Tensor
    /// What enters block 0, given the token embeddings (GPT-2 adds position embeddings).
    func firstLayerInput(tokenEmbeddings: Tensor, batch: TokenBatch) -> Tensor
    /// Block `layer` applied to the residual stream `x` of `context.batch`. With a
    /// `context.cache`, the block appends the new rows' keys and values and attends over the
    /// cached prefix too; `batch.pastLengths` say how long each prefix is.
    func block(_ layer: Int, _ x: Tensor, context: BlockContext) async throws -> Tensor
    /// The final normalisation.
    func finalNorm(_ x: Tensor) -> Tensor
    /// The output head: hidden states to logits, [rows, vocab].
    func unembed(_ x: Tensor) -> Tensor
    /// Each row's greedy token: the first argmax of the row of `unembed(x)`, exactly, computed
    /// without every logit where the head allows it (``Linear/argmaxOfRows(_:)``).
    func greedyTokens(_ x: Tensor) -> [Int]
    /// The same model with every parameter watched on `tape` under its checkpoint name
    /// (`transformer.h.1.mlp.c_fc.weight`), for parameter gradients. Values are shared, not copied.
    func watchingParameters(on tape: GradientTape) -> any TransformerModel
}
