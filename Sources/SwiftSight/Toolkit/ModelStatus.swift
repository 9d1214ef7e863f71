import SwiftSightHooks
import SwiftSightLayers

/// What works on a loaded checkpoint, check by check: the row `swiftsight validate` prints and
/// the status table of Docs/Models.md holds (nnterp keeps the same kind of table per model
/// class).
///
/// These are self-consistency checks that need no reference outputs, so they run on any local
/// checkpoint; agreement with `transformers` is what the test suite checks on the fixtures.
public struct ModelStatus: Sendable {
    /// One column of the row.
    public enum Check: String, CaseIterable, Sendable {
        /// Every standardized point is produced with its shape (``StandardizedTransformer/validateStandardizedPoints()``).
        case hookPoints = "hook points"
        /// A backward pass from the logits reaches the token embeddings and every layer's output
        /// with finite gradients of the values' shapes, not all zero.
        case gradients
        /// Greedy generation with the KV cache picks, at every step, the token a whole forward
        /// pass over the prompt and the tokens so far picks.
        case generation
        /// Attention probabilities are finite, causal (no weight on later positions) and their
        /// rows sum to 1, in every layer.
        case attentionProbabilities = "attention probabilities"
        /// The tokenizer's ids fit the model, and a text of letters, digits, punctuation and
        /// spaces encodes to ids that decode back to it.
        case tokenizer
    }

    /// A check's outcome: nil when it passed, else what failed.
    public struct Outcome: Sendable {
        /// Which check.
        public let check: Check
        /// What failed, nil if the check passed.
        public let failure: String?
        /// Whether the check passed.
        public var passed: Bool { failure == nil }
    }

    /// The config's `model_type`.
    public let modelType: String
    /// Every check's outcome, in ``Check/allCases`` order.
    public let outcomes: [Outcome]
    /// Whether every check passed.
    public var passed: Bool { outcomes.allSatisfy(\.passed) }
}

extension StandardizedTransformer {
    /// Runs every ``ModelStatus/Check`` on this model; a failing check is reported, not thrown,
    /// so one failure does not hide the others.
    /// - Complexity: a few forward passes of a few tokens and one backward pass.
    public func status() async -> ModelStatus {
        var outcomes: [ModelStatus.Outcome] = []
        for check in ModelStatus.Check.allCases {
            let failure: String?
            do {
                try await run(check)
                failure = nil
            } catch {
                failure = "\(error)"
            }
            outcomes.append(ModelStatus.Outcome(check: check, failure: failure))
        }
        return ModelStatus(modelType: info.modelType, outcomes: outcomes)
    }

    private func run(_ check: ModelStatus.Check) async throws {
        switch check {
        case .hookPoints: try await validateStandardizedPoints()
        case .gradients: try await checkGradients()
        case .generation: try await checkGeneration()
        case .attentionProbabilities: try await checkAttentionProbabilities()
        case .tokenizer: try checkTokenizer()
        }
    }

    /// The probe every check runs: the tokenizer's own tokens, repeated to a few positions.
    private func probeTokens() throws -> [Int] {
        let (text, _) = try validationText()
        let ids = tokenize(text)
        return Array((0..<3).flatMap { _ in ids }.prefix(max(2, min(6, info.maxPositions - 4))))
    }

    private func checkGradients() async throws {
        let points: [HookPoint] = [.tokenEmbeddings] + (0..<numLayers).map { HookPoint.layerOutput($0) }
        let gradients = try await trace(tokens: try probeTokens(), gradients: .activations) { t in
            var values: [Tensor] = []
            for point in points { values.append(try await t.value(at: point)) }
            let g = try await t.backward(try await t.logits.sum())
            return try zip(points, values).map { ($0, $1.shape, try g.gradient(at: $0)) }
        }
        for (point, shape, gradient) in gradients {
            guard gradient.shape == shape else {
                throw ModelStatusFailure("the gradient at \(point) has shape \(gradient.shape), its value \(shape)")
            }
            guard gradient.scalars.allSatisfy(\.isFinite) else { throw ModelStatusFailure("the gradient at \(point) is not finite") }
            guard gradient.scalars.contains(where: { $0 != 0 }) else { throw ModelStatusFailure("the gradient at \(point) is zero") }
        }
    }

    private func checkGeneration() async throws {
        let prompt = try probeTokens()
        let generated = try await generate(ids: [prompt], maxNewTokens: 3, stopAtEndOfText: false)[0].ids
        for (step, token) in generated.enumerated() {
            let context = prompt + generated.prefix(step)
            let logits = try await forward(TokenBatch([context]))
            let last = try logits.select(axis: 1, index: context.count - 1).scalars
            guard let best = last.indices.max(by: { last[$0] < last[$1] || (last[$0] == last[$1] && $0 > $1) }) else { continue }
            guard best == token || last[best] == last[token] else {
                throw ModelStatusFailure("step \(step): the KV-cached generation chose \(token), a whole forward pass \(best)")
            }
        }
    }

    private func checkAttentionProbabilities() async throws {
        let probe = try probeTokens()
        let (n, layers) = (probe.count, numLayers)
        let values = try await trace(tokens: probe) { t in
            var values: [Tensor] = []
            for i in 0..<layers { values.append(try await t.attentionProbabilities[i]) }
            return values
        }
        for (layer, p) in values.enumerated() {
            let point = HookPoint.attentionProbabilities(layer)
            let s = p.scalars
            guard s.allSatisfy(\.isFinite) else { throw ModelStatusFailure("\(point) is not finite") }
            for row in 0..<(s.count / n) {
                let query = row % n
                let weights = s[(row * n)..<(row * n + n)]
                if let later = weights.indices.first(where: { $0 - row * n > query && weights[$0] != 0 }) {
                    throw ModelStatusFailure("\(point): query \(query) puts weight on the later position \(later - row * n)")
                }
                let sum = weights.reduce(0, +)
                guard abs(sum - 1) <= 1e-3 else { throw ModelStatusFailure("\(point): a row sums to \(sum)") }
            }
        }
    }

    private func checkTokenizer() throws {
        _ = try validationText()
        let text = "The 3 quick foxes, 42 jumps; 7 lazy dogs."
        let ids = tokenize(text)
        guard !ids.isEmpty else { throw ModelStatusFailure("\(text.debugDescription) encodes to no tokens") }
        if let outside = ids.first(where: { $0 < 0 || $0 >= vocabSize }) {
            throw ModelStatusFailure("\(text.debugDescription) encodes with id \(outside), outside vocab_size \(vocabSize)")
        }
        let decoded = tokenizer.decode(ids)
        guard decoded == text || decoded == " " + text else {
            throw ModelStatusFailure("\(text.debugDescription) decodes back as \(decoded.debugDescription)")
        }
    }
}

/// A status check's failure, worded for the row.
struct ModelStatusFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
