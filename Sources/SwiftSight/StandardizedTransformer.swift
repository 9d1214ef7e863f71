import SwiftSightActors
import SwiftSightCache
import Foundation
import SwiftSightHooks
import SwiftSightLayers
import SwiftSightModels
import SwiftSightTokenizers

/// A transformer language model with nnterp's standardized names, whatever its architecture.
///
/// Load it once and share it: every method is safe to call from many tasks at once, and
/// concurrent calls flow through the model's stage pipeline together.
/// ```swift
/// let model = try await StandardizedTransformer(.embedded)   // `import SwiftSightEmbeddedModel`
/// let top = try await model.predictions(for: "My tailor is rich", top: 5)
/// ```
public final class StandardizedTransformer: Sendable {
    /// Sizes and module names of the loaded model.
    public let info: ModelInfo
    /// The checkpoint's own tokenizer.
    public let tokenizer: any Tokenizer
    /// The folder the model was loaded from.
    public let directory: URL
    /// The stages the forward pass runs on.
    package let pipeline: Pipeline

    /// Loads the model and its tokenizer. Errors name the file and key at fault.
    ///
    /// With `validate` (the default), the model is then run once on a two-token input and every
    /// standardized point is checked for shape (``validateStandardizedPoints()``, a
    /// ``ModelValidationError`` naming the point if one does not fit); pass false to skip it.
    /// `weightPrecision` is how the weights of the matrix products are stored for the forward
    /// pass: `.float32` (the default) or, opt-in, `.bfloat16` (half the memory traffic; see
    /// Docs/Numerics.md for how far logits move).
    public init(_ source: ModelSource, validate: Bool = true, weightPrecision: WeightPrecision = .float32) async throws {
        let directory = try source.resolvedDirectory()
        let model = try ModelLoader.loadModel(directory: directory, weightPrecision: weightPrecision)
        tokenizer = try TokenizerLoader.load(directory: directory)
        info = model.info
        pipeline = Pipeline(model: model)
        self.directory = directory
        if validate { try await validateStandardizedPoints() }
    }

    /// Number of transformer blocks.
    public var numLayers: Int { info.numLayers }
    /// Width of the residual stream.
    public var hiddenSize: Int { info.hiddenSize }
    /// Attention heads per block.
    public var numHeads: Int { info.numHeads }
    /// Size of the output vocabulary.
    public var vocabSize: Int { info.vocabSize }
    /// Transformer blocks computed so far, over every call (what `stop()` and skips save).
    public var blocksComputed: Int { pipeline.blocksComputed }
    /// The id used to pad batches in files and left-padded views.
    public var padID: Int { tokenizer.endOfTextID ?? info.eosTokenID ?? 0 }

    /// Token ids of `text`.
    public func tokenize(_ text: String) -> [Int] { tokenizer.encode(text) }

    /// Tokenizes `prompts` into one batch, checked against the model's limits.
    public func batch(_ prompts: [String]) throws -> TokenBatch {
        let batch = TokenBatch(prompts.map(tokenizer.encode))
        try batch.validate(for: info)
        return batch
    }

    /// The logits of `batch`, left-padded [batch, length, vocab].
    public func forward(_ batch: TokenBatch) async throws -> Tensor {
        try batch.validate(for: info)
        guard let logits = try await pipeline.run(batch) else { throw CancellationError() }
        return batch.layout.leftPadded(logits)
    }

    /// Runs `prompts` as one batch and records the values at `points`, left-padded
    /// [batch, length, width], keyed by original module names. With `stopAfter`, the forward
    /// pass ends at that point (later layers are not computed).
    /// - Throws: ``TraceError/neverReached(_:reason:)`` if a point comes after `stopAfter`.
    public func activations(of prompts: [String], at points: Set<HookPoint>,
                            stopAfter: HookPoint? = nil) async throws -> (cache: ActivationCache, batch: TokenBatch) {
        if let stop = stopAfter, let late = points.filter({ $0 > stop }).min() {
            throw TraceError.neverReached(late, reason: "it comes after the stop point \(stop)")
        }
        let batch = try batch(prompts)
        let recorder = CacheRecorder(points: points, naming: info.naming)
        _ = try await trace(invokes: [Invoke(prompts) { t in
            guard let stopAfter else { return }
            _ = try await t.value(at: stopAfter)
            t.stop()
        }], recorder: recorder)
        return (recorder.recorded, batch)
    }
}
