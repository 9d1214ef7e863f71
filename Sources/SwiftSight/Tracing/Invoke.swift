/// One group of prompts in a trace, with its own intervention code.
///
/// All invokes of a trace run as one batched forward pass; each sees only its own rows.
/// At every hook point, invokes are served in the order they were given, so a value read by
/// one invoke can be patched into a later one at the same point.
public struct Invoke<Result: Sendable>: Sendable {
    /// The prompts of this invoke.
    public let prompts: [String]
    let body: @Sendable (Tracer) async throws -> Result

    /// An invoke running `body` on one prompt.
    public init(_ prompt: String, _ body: @escaping @Sendable (Tracer) async throws -> Result) {
        self.init([prompt], body)
    }

    /// An invoke running `body` on several prompts (values are [prompts, length, width], left-padded).
    public init(_ prompts: [String], _ body: @escaping @Sendable (Tracer) async throws -> Result) {
        self.prompts = prompts
        self.body = body
    }
}

/// What a trace returns when it also caches activations.
public struct Traced<Result: Sendable>: Sendable {
    /// What the trace's closure returned.
    public let value: Result
    /// The activations the cache request asked for, after interventions.
    public let cache: ActivationCache
}
