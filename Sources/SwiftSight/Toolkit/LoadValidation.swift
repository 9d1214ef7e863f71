import Hooks
import Layers

/// A loaded checkpoint whose forward pass does not produce what its standardized names promise
/// (nnterp checks the same at load time). The message names the point.
public enum ModelValidationError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The value at a point had the wrong shape.
    case shapeMismatch(HookPoint, expected: [Int], got: [Int])
    /// Attention probabilities whose rows do not sum to 1 (`worst` is the sum furthest from 1).
    case rowsDoNotSumToOne(HookPoint, worst: Float)

    /// What was wrong, naming the point.
    public var description: String {
        switch self {
        case let .shapeMismatch(point, expected, got):
            "the model does not fit the standardized interface: \(point) has shape \(got), expected \(expected)"
        case let .rowsDoNotSumToOne(point, worst):
            "the model does not fit the standardized interface: rows of \(point) sum to \(worst), expected 1"
        }
    }
}

extension StandardizedTransformer {
    /// The prompt ``validateStandardizedPoints()`` runs: two tokens, the first two ids.
    static let validationIDs = [0, 1]

    /// Runs the model once on a two-token input and checks the shape of every standardized
    /// point, attention probabilities included: [1, 2, hidden] for the residual stream, the
    /// attention and MLP inputs and outputs and the final norm, [1, heads, 2, 2] for attention
    /// probabilities (rows summing to 1), [1, 2, vocab] for the logits.
    ///
    /// ``init(_:validate:)`` calls it unless asked not to.
    /// - Throws: ``ModelValidationError`` naming the first point that does not fit.
    /// - Complexity: one forward pass of two tokens.
    public func validateStandardizedPoints() async throws {
        let points = HookPoint.all(layers: numLayers, includingAttentionProbabilities: true)
        let text = tokenizer.decode(Self.validationIDs.filter { $0 < vocabSize })
        let n = tokenize(text).count
        let values = try await trace(text) { t in
            var values: [Tensor] = []
            for point in points { values.append(try await t.value(at: point)) }
            return values
        }
        for (point, value) in zip(points, values) {
            let expected: [Int] = switch point {
            case .attentionProbabilities: [1, numHeads, n, n]
            case .logits: [1, n, vocabSize]
            default: [1, n, hiddenSize]
            }
            guard value.shape == expected else { throw ModelValidationError.shapeMismatch(point, expected: expected, got: value.shape) }
            if point.isAttentionProbabilities, let worst = try value.sum(axes: [3]).scalars.max(by: { abs($0 - 1) < abs($1 - 1) }),
               abs(worst - 1) > 1e-3 {
                throw ModelValidationError.rowsDoNotSumToOne(point, worst: worst)
            }
        }
    }
}
