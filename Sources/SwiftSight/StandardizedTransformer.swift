import Actors
import Cache
import Foundation
import Hooks
import Layers
import Models
import Tokenizers

/// A transformer language model with nnterp's standardized names, whatever its architecture.
///
/// Load it once and share it: every method is safe to call from many tasks at once.
/// ```swift
/// let model = try await StandardizedTransformer(.embedded)
/// let top = try await model.predictions(for: "My tailor is rich", top: 5)
/// ```
public final class StandardizedTransformer: Sendable {
    /// Sizes and module names of the loaded model.
    public let info: ModelInfo
    /// The checkpoint's own tokenizer.
    public let tokenizer: any Tokenizer
    /// The folder the model was loaded from.
    public let directory: URL
    let runner: ModelRunner

    /// Loads the model and its tokenizer. Errors name the file and key at fault.
    public init(_ source: ModelSource) async throws {
        let directory = try source.resolvedDirectory()
        let model = try ModelLoader.loadModel(directory: directory)
        tokenizer = try TokenizerLoader.load(directory: directory)
        info = model.info
        runner = ModelRunner(model: model)
        self.directory = directory
    }

    /// Number of transformer blocks.
    public var numLayers: Int { info.numLayers }
    /// Width of the residual stream.
    public var hiddenSize: Int { info.hiddenSize }
    /// Attention heads per block.
    public var numHeads: Int { info.numHeads }
    /// Size of the output vocabulary.
    public var vocabSize: Int { info.vocabSize }

    /// Token ids of `text`.
    public func tokenize(_ text: String) -> [Int] { tokenizer.encode(text) }

    /// Tokenizes `prompts` into one left-padded batch, checked against the model's limits.
    public func batch(_ prompts: [String]) throws -> TokenBatch {
        let batch = TokenBatch(prompts.map(tokenizer.encode), padID: tokenizer.endOfTextID ?? info.eosTokenID ?? 0)
        try batch.validate(for: info)
        return batch
    }

    /// The logits of `batch`, [batch, length, vocab]; `hook` sees every point in forward order.
    public func forward(_ batch: TokenBatch, hook: HookHandler = { _, _ in }) async throws -> Tensor {
        try await runner.forward(batch, hook: hook)
    }

    /// Runs `prompts` as one left-padded batch and records the values at `points`,
    /// keyed by original module names.
    public func activations(of prompts: [String], at points: Set<HookPoint>) async throws -> (cache: ActivationCache, batch: TokenBatch) {
        let batch = try batch(prompts)
        let recorder = Recorder(naming: info.naming)
        _ = try await forward(batch) { point, value in
            if points.contains(point) { recorder.record(value, at: point) }
        }
        return (recorder.cache, batch)
    }
}

/// Collects values from hook calls; a forward pass calls hooks one at a time, in order.
private final class Recorder: @unchecked Sendable {
    // @unchecked: written only by the forward pass's sequential hook calls, read after it ends.
    var cache: ActivationCache
    init(naming: ModuleNaming) { cache = ActivationCache(naming: naming) }
    func record(_ value: Tensor, at point: HookPoint) { cache.record(value, at: point) }
}
