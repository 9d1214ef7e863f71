import SwiftSightTokenizers

/// One group of prompts in a trace, with its own intervention code.
///
/// All invokes of a trace run as one batched forward pass; each sees only its own rows.
/// At every hook point, invokes are served in the order they were given, so a value read by
/// one invoke can be patched into a later one at the same point.
public struct Invoke<Result: Sendable>: Sendable {
    /// What an invoke runs on.
    public enum Input: Sendable, Equatable {
        /// Texts, tokenized with the model's tokenizer.
        case texts([String])
        /// Token ids as they are (checked against the vocabulary when the trace starts).
        case tokens([[Int]])
    }

    /// The prompts of this invoke.
    public let input: Input
    let body: @Sendable (Tracer) async throws -> Result

    /// An invoke running `body` on one prompt.
    public init(_ prompt: String, _ body: @escaping @Sendable (Tracer) async throws -> Result) {
        self.init([prompt], body)
    }

    /// An invoke running `body` on several prompts (values are [prompts, length, width], left-padded).
    public init(_ prompts: [String], _ body: @escaping @Sendable (Tracer) async throws -> Result) {
        self.input = .texts(prompts)
        self.body = body
    }

    /// An invoke running `body` on one or more sequences of token ids, such as a prompt and the
    /// tokens a generation added to it.
    public init(tokens: [[Int]], _ body: @escaping @Sendable (Tracer) async throws -> Result) {
        self.input = .tokens(tokens)
        self.body = body
    }

    /// The invoke's token sequences.
    func sequences(_ tokenizer: any Tokenizer) -> [[Int]] {
        switch input {
        case .texts(let texts): texts.map { tokenizer.encode($0) }
        case .tokens(let ids): ids
        }
    }
}

/// What a trace returns when it also caches activations.
public struct Traced<Result: Sendable>: Sendable {
    /// What the trace's closure returned.
    public let value: Result
    /// The activations the cache request asked for, after interventions.
    public let cache: ActivationCache
}
