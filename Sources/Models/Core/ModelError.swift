/// A request the model cannot serve.
public enum ModelError: Error, CustomStringConvertible, Equatable {
    /// A prompt has more tokens than the model has positions.
    case promptTooLong(prompt: Int, tokens: Int, maxPositions: Int)
    /// A prompt tokenized to nothing.
    case emptyPrompt(prompt: Int)
    /// A token id outside the embedding table.
    case tokenOutOfRange(prompt: Int, id: Int, vocabSize: Int)
    /// No prompts at all.
    case noPrompts

    /// What went wrong, naming the prompt and the value.
    public var description: String {
        switch self {
        case let .promptTooLong(p, n, max):
            "prompt \(p) has \(n) tokens but the model accepts at most \(max) (n_positions or max_position_embeddings in config.json)"
        case let .emptyPrompt(p):
            "prompt \(p) has no tokens; give at least one character"
        case let .tokenOutOfRange(p, id, vocab):
            "prompt \(p) contains token id \(id), outside the vocabulary of \(vocab)"
        case .noPrompts:
            "no prompts were given"
        }
    }
}

extension TokenBatch {
    /// Checks the sequences against a model's limits.
    public func validate(for info: ModelInfo) throws(ModelError) {
        guard !sequences.isEmpty else { throw .noPrompts }
        for (p, s) in sequences.enumerated() {
            if s.isEmpty { throw .emptyPrompt(prompt: p) }
            if s.count > info.maxPositions { throw .promptTooLong(prompt: p, tokens: s.count, maxPositions: info.maxPositions) }
            if let bad = s.first(where: { $0 < 0 || $0 >= info.vocabSize }) {
                throw .tokenOutOfRange(prompt: p, id: bad, vocabSize: info.vocabSize)
            }
        }
    }
}
