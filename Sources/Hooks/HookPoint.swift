/// A place in a forward pass where a value can be read or changed.
///
/// Hook points are ordered as the forward pass produces them; ``sequenceNumber`` gives that
/// order, which the hook bus uses to enforce forward-order access:
/// `token_embeddings < layers_input.0 < attentions_input.0 < attention_probabilities.0
/// < attentions_output.0 < mlps_input.0 < mlps_output.0 < layers_output.0 < layers_input.1 < ...
/// < ln_final < logits`.
public enum HookPoint: Hashable, Sendable {
    /// The token embeddings (before positions are added), [batch, seq, hidden].
    case tokenEmbeddings
    /// The residual stream entering block `i`.
    case layerInput(Int)
    /// The normalised input of block `i`'s attention.
    case attentionInput(Int)
    /// Block `i`'s attention probabilities (softmax of the scores), [batch, heads, seq, seq]
    /// left-padded on both sequence axes. Fired only when an invoke or observer asks for it;
    /// replacing it makes the attention output P·V of the new probabilities.
    case attentionProbabilities(Int)
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

    /// Numbers per layer: block `i`'s points are `1 + 16·i + 2·k` for its k-th point, which
    /// leaves room for new points between the existing ones (odd offsets, and offsets 14 and up).
    static let layerStride = 16

    /// Position in forward order; unique per point, independent of the model's depth.
    public var sequenceNumber: Int {
        func at(_ i: Int, _ k: Int) -> Int { 1 + Self.layerStride * i + 2 * k }
        return switch self {
        case .tokenEmbeddings: 0
        case .layerInput(let i): at(i, 0)
        case .attentionInput(let i): at(i, 1)
        case .attentionProbabilities(let i): at(i, 2)
        case .attentionOutput(let i): at(i, 3)
        case .mlpInput(let i): at(i, 4)
        case .mlpOutput(let i): at(i, 5)
        case .layerOutput(let i): at(i, 6)
        case .lnFinal: Int.max - 1
        case .logits: Int.max
        }
    }

    /// The block index, for per-layer points.
    public var layer: Int? {
        switch self {
        case .layerInput(let i), .attentionInput(let i), .attentionProbabilities(let i), .attentionOutput(let i),
             .mlpInput(let i), .mlpOutput(let i), .layerOutput(let i): i
        case .tokenEmbeddings, .lnFinal, .logits: nil
        }
    }

    /// Whether the point is inside a block (attention or MLP input or output), so it does not
    /// fire when the block is skipped.
    public var isInsideBlock: Bool {
        switch self {
        case .attentionInput, .attentionProbabilities, .attentionOutput, .mlpInput, .mlpOutput: true
        default: false
        }
    }

    /// Every point of a model with `layers` blocks, in forward order.
    ///
    /// By default these are the points whose values are [batch, seq, width] (the residual
    /// stream, the attention and MLP inputs and outputs, the logits). With
    /// `includingAttentionProbabilities`, `attention_probabilities.i` ([batch, heads, seq, seq],
    /// computed only on request, quadratic in the length) is listed too.
    public static func all(layers: Int, includingAttentionProbabilities: Bool = false) -> [HookPoint] {
        [.tokenEmbeddings]
            + (0..<layers).flatMap { i in
                [.layerInput(i), .attentionInput(i)]
                    + (includingAttentionProbabilities ? [.attentionProbabilities(i)] : [])
                    + [.attentionOutput(i), .mlpInput(i), .mlpOutput(i), .layerOutput(i)]
            }
            + [.lnFinal, .logits]
    }

    /// Whether the point's value is per-position attention probabilities ([batch, heads, seq, seq])
    /// rather than a [batch, seq, width] activation.
    public var isAttentionProbabilities: Bool {
        if case .attentionProbabilities = self { true } else { false }
    }
}

extension HookPoint: Comparable {
    /// Forward order.
    public static func < (a: HookPoint, b: HookPoint) -> Bool { a.sequenceNumber < b.sequenceNumber }
}
