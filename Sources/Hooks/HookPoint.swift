/// A place in a forward pass where a value can be read or changed.
///
/// Hook points are ordered as the forward pass produces them; ``sequenceNumber`` gives that
/// order, which the hook bus uses to enforce forward-order access:
/// `token_embeddings < layers_input.0 < attentions_input.0 < attentions_output.0 < mlps_input.0
/// < mlps_output.0 < layers_output.0 < layers_input.1 < ... < ln_final < logits`.
public enum HookPoint: Hashable, Sendable {
    /// The token embeddings (before positions are added), [batch, seq, hidden].
    case tokenEmbeddings
    /// The residual stream entering block `i`.
    case layerInput(Int)
    /// The normalised input of block `i`'s attention.
    case attentionInput(Int)
    /// Block `i`'s attention output, before it is added to the residual stream.
    case attentionOutput(Int)
    /// The normalised input of block `i`'s MLP.
    case mlpInput(Int)
    /// Block `i`'s MLP output, before it is added to the residual stream.
    case mlpOutput(Int)
    /// The residual stream leaving block `i`.
    case layerOutput(Int)
    /// The final normalisation's output.
    case lnFinal
    /// The logits, [batch, seq, vocab].
    case logits

    /// Position in forward order; unique per point, independent of the model's depth.
    public var sequenceNumber: Int {
        switch self {
        case .tokenEmbeddings: 0
        case .layerInput(let i): 1 + 6 * i
        case .attentionInput(let i): 2 + 6 * i
        case .attentionOutput(let i): 3 + 6 * i
        case .mlpInput(let i): 4 + 6 * i
        case .mlpOutput(let i): 5 + 6 * i
        case .layerOutput(let i): 6 + 6 * i
        case .lnFinal: Int.max - 1
        case .logits: Int.max
        }
    }

    /// The block index, for per-layer points.
    public var layer: Int? {
        switch self {
        case .layerInput(let i), .attentionInput(let i), .attentionOutput(let i),
             .mlpInput(let i), .mlpOutput(let i), .layerOutput(let i): i
        case .tokenEmbeddings, .lnFinal, .logits: nil
        }
    }

    /// Whether the point is inside a block (attention or MLP input or output), so it does not
    /// fire when the block is skipped.
    public var isInsideBlock: Bool {
        switch self {
        case .attentionInput, .attentionOutput, .mlpInput, .mlpOutput: true
        default: false
        }
    }

    /// Every point of a model with `layers` blocks, in forward order.
    public static func all(layers: Int) -> [HookPoint] {
        [.tokenEmbeddings]
            + (0..<layers).flatMap { i in
                [.layerInput(i), .attentionInput(i), .attentionOutput(i), .mlpInput(i), .mlpOutput(i), .layerOutput(i)]
            }
            + [.lnFinal, .logits]
    }
}

extension HookPoint: Comparable {
    /// Forward order.
    public static func < (a: HookPoint, b: HookPoint) -> Bool { a.sequenceNumber < b.sequenceNumber }
}
