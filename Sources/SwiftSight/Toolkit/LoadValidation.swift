import Foundation
import SwiftSightHooks
import SwiftSightLayers

/// A loaded checkpoint whose forward pass does not produce what its standardized names promise
/// (nnterp checks the same at load time). The message names the point.
public enum ModelValidationError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The value at a point had the wrong shape.
    case shapeMismatch(HookPoint, expected: [Int], got: [Int])
    /// Attention probabilities whose rows do not sum to 1 (`worst` is the sum furthest from 1).
    case rowsDoNotSumToOne(HookPoint, worst: Float)
    /// The tokenizer in `file` has no token whose id the model's embedding table has.
    case noTokenInModelVocabulary(file: String, vocabSize: Int)
    /// The tokenizer in `file` encodes the text of two of its own tokens (`ids`) as no tokens.
    case probeEncodesToNothing(file: String, ids: [Int], text: String)
    /// The tokenizer in `file` encodes a text with token `id`, outside the model's vocabulary.
    case tokenOutsideModelVocabulary(file: String, id: Int, vocabSize: Int)

    /// What was wrong, naming the point.
    public var description: String {
        switch self {
        case let .shapeMismatch(point, expected, got):
            "the model does not fit the standardized interface: \(point) has shape \(got), expected \(expected)"
        case let .rowsDoNotSumToOne(point, worst):
            "the model does not fit the standardized interface: rows of \(point) sum to \(worst), expected 1"
        case let .noTokenInModelVocabulary(file, vocabSize):
            "the tokenizer \(file) does not fit the model: none of its token ids is below the model's vocab_size \(vocabSize)"
        case let .probeEncodesToNothing(file, ids, text):
            "the tokenizer \(file) is inconsistent: its tokens \(ids) decode to \(text.debugDescription), which it encodes as no tokens"
        case let .tokenOutsideModelVocabulary(file, id, vocabSize):
            "the tokenizer \(file) does not fit the model: it produces token id \(id), outside the model's vocab_size \(vocabSize)"
        }
    }
}

extension StandardizedTransformer {
    /// The text ``validateStandardizedPoints()`` runs and its token count: the decoded text of
    /// the tokenizer's first two ids that the model's embedding table has (0 and 1 for most
    /// tokenizers; a tokenizer whose ids start later is not a reason to fail).
    /// - Throws: ``ModelValidationError`` naming the tokenizer file when no id fits the model,
    ///   or when the text of its own tokens encodes to nothing or to ids the model lacks, rather
    ///   than an error about "prompt 0" that the user never wrote.
    func validationText() throws(ModelValidationError) -> (text: String, tokens: Int) {
        let file = tokenizerFile.path
        var ids: [Int] = []
        for id in 0..<vocabSize where tokenizer.token(forID: id) != nil {
            ids.append(id)
            if ids.count == 2 { break }
        }
        guard !ids.isEmpty else { throw .noTokenInModelVocabulary(file: file, vocabSize: vocabSize) }
        let text = tokenizer.decode(ids)
        let tokens = tokenize(text)
        guard !tokens.isEmpty else { throw .probeEncodesToNothing(file: file, ids: ids, text: text) }
        if let outside = tokens.first(where: { $0 < 0 || $0 >= vocabSize }) {
            throw .tokenOutsideModelVocabulary(file: file, id: outside, vocabSize: vocabSize)
        }
        return (text, tokens.count)
    }

    /// The file the tokenizer was read from: tokenizer.json, else vocab.json (as ``TokenizerLoader``).
    var tokenizerFile: URL {
        let json = directory.appendingPathComponent("tokenizer.json")
        return FileManager.default.fileExists(atPath: json.path) ? json : directory.appendingPathComponent("vocab.json")
    }

    /// Runs the model once on a two-token input and checks the shape of every standardized
    /// point, attention probabilities included: [1, 2, hidden] for the residual stream, the
    /// attention and MLP inputs and outputs and the final norm, [1, heads, 2, 2] for attention
    /// probabilities (rows summing to 1), [1, 2, vocab] for the logits.
    ///
    /// ``init(_:validate:)`` calls it unless asked not to.
    /// - Throws: ``ModelValidationError`` naming the first point that does not fit, or the
    ///   tokenizer file when its tokens do not fit the model (``validationText()``).
    /// - Complexity: one forward pass of two tokens.
    public func validateStandardizedPoints() async throws {
        let points = HookPoint.all(layers: numLayers, includingAttentionProbabilities: true)
        let (text, n) = try validationText()
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
