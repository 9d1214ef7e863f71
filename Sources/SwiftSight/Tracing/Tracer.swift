import SwiftSightActors
import SwiftSightHooks
import SwiftSightLayers
import SwiftSightModels

/// One invoke's view of a running trace: read and change its activations in forward order.
///
/// Values are [sequences, length, width] tensors for this invoke's prompts only (left-padded
/// when an invoke has several prompts of different lengths). Reading a point waits until the
/// forward pass gets there; asking for a point that has already passed throws
/// ``TraceError/outOfOrder(requested:passed:)`` at once.
/// ```swift
/// let (l1, logits) = try await model.trace("My tailor is rich") { t in
///     (try await t.layersOutput[1], try await t.logits)
/// }
/// ```
public struct Tracer: Sendable {
    let bus: HookBus
    let invoke: Int
    let worker: ComputeWorker
    /// Sizes and names of the model being traced.
    public let info: ModelInfo

    /// The value at `point`, once the forward pass gets there.
    public func value(at point: HookPoint) async throws -> Tensor {
        try await bus.value(at: point, invoke: invoke)
    }

    /// Changes the value at `point` in place (same shape); everything downstream sees the change.
    ///
    /// Errors thrown by `body` (such as a ``TensorError`` from `try $0 + v` with shapes that do
    /// not broadcast) end the trace and reach the caller; the model stays usable.
    /// - Throws: ``TraceError/shapeMismatch(_:expected:got:)`` if `body` changed the shape; what
    ///   `body` throws; the trace's errors.
    public func edit(_ point: HookPoint, _ body: (inout Tensor) throws -> Void) async throws {
        let tape = bus.tape?.id
        try await bus.edit(point, invoke: invoke) { value in
            try body(&value)
            value = value.local(to: tape)
        }
    }

    /// Replaces the value at `point` with `value` (same shape).
    /// - Throws: ``TraceError/shapeMismatch(_:expected:got:)`` for another shape; the trace's errors.
    public func set(_ point: HookPoint, to value: Tensor) async throws {
        try await edit(point) { $0 = value }
    }

    /// Stops the forward pass after the current point: the layers after it are not computed.
    /// Reading a later point afterwards fails with ``TraceError/neverReached(_:reason:)``.
    public func stop() { bus.stop() }

    /// Skips block `layer` (not computed for this trace if every invoke skips it): its output
    /// becomes `output`, or its input if nil. Ask before `layers_input.layer` has passed.
    /// - Throws: ``TraceError/shapeMismatch(_:expected:got:)`` if `output` does not have the
    ///   layer input's shape; ``TraceError/skipTooLate(layer:passed:)``.
    public func skipLayer(_ layer: Int, output: Tensor? = nil) async throws {
        try await bus.skip(layer: layer, invoke: invoke, output: output?.local(to: bus.tape?.id))
    }

    /// Skips blocks `layers`: the input of the first passes through to the output of the last.
    public func skipLayers(_ layers: ClosedRange<Int>) async throws {
        for layer in layers { try await skipLayer(layer) }
    }

    // MARK: Standardized points

    /// The token embeddings, [sequences, length, hidden].
    public var tokenEmbeddings: Tensor { get async throws { try await value(at: .tokenEmbeddings) } }
    /// The final norm's output.
    public var lnFinal: Tensor { get async throws { try await value(at: .lnFinal) } }
    /// The logits, [sequences, length, vocab].
    public var logits: Tensor { get async throws { try await value(at: .logits) } }
    /// Next-token probabilities at each sequence's last position, [sequences, vocab].
    public var nextTokenProbs: Tensor {
        get async throws {
            Softmax.apply(try await logits.lastPositions())
        }
    }

    /// Inputs of each block (the residual stream entering it).
    public var layersInput: LayerPoints { LayerPoints(tracer: self, point: HookPoint.layerInput) }
    /// Outputs of each block (the residual stream leaving it).
    public var layersOutput: LayerPoints { LayerPoints(tracer: self, point: HookPoint.layerOutput) }
    /// Inputs of each block's attention (after its norm).
    public var attentionsInput: LayerPoints { LayerPoints(tracer: self, point: HookPoint.attentionInput) }
    /// Outputs of each block's attention (before the residual add).
    public var attentionsOutput: LayerPoints { LayerPoints(tracer: self, point: HookPoint.attentionOutput) }
    /// Inputs of each block's MLP (after its norm).
    public var mlpsInput: LayerPoints { LayerPoints(tracer: self, point: HookPoint.mlpInput) }
    /// Outputs of each block's MLP (before the residual add).
    public var mlpsOutput: LayerPoints { LayerPoints(tracer: self, point: HookPoint.mlpOutput) }

    /// Number of blocks.
    public var numLayers: Int { info.numLayers }
    /// Width of the residual stream.
    public var hiddenSize: Int { info.hiddenSize }
    /// Attention heads per block.
    public var numHeads: Int { info.numHeads }
    /// Size of the vocabulary.
    public var vocabSize: Int { info.vocabSize }
}

/// One kind of per-layer point, indexed by layer: `t.layersOutput[3]`.
public struct LayerPoints: Sendable {
    let tracer: Tracer
    let point: @Sendable (Int) -> HookPoint

    /// The value at this point of `layer`.
    public subscript(_ layer: Int) -> Tensor {
        get async throws { try await tracer.value(at: point(layer)) }
    }

    /// Changes the value at this point of `layer` in place.
    public func edit(_ layer: Int, _ body: (inout Tensor) throws -> Void) async throws {
        try await tracer.edit(point(layer), body)
    }

    /// Replaces the value at this point of `layer`.
    public func set(_ layer: Int, to value: Tensor) async throws {
        try await tracer.set(point(layer), to: value)
    }
}

extension Tensor {
    /// This value as written into a trace whose tape is `tape` (nil: no gradients): a value
    /// tracked on another tape (read in another trace that records gradients) becomes a constant,
    /// since this trace cannot send gradients to it, and mixing two tapes in the forward pass
    /// would stop the process.
    func local(to tape: UInt64?) -> Tensor {
        guard let node = gradientNode, node.tapeID != tape else { return self }
        return detached()
    }

    /// For [n, length, width]: the last position of each row, [n, width].
    func lastPositions() -> Tensor {
        let (n, length, width) = (shape[0], shape[1], shape[2])
        return Tensor(uncheckedShape: [n, width]) { out in
            withUnsafeBuffer { p in
                for i in 0..<n {
                    (out.baseAddress! + i * width).update(from: p.baseAddress! + ((i + 1) * length - 1) * width, count: width)
                }
            }
        }
    }
}
