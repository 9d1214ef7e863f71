/// How the next token is drawn when generating with sampling (without it, generation is
/// greedy: the most likely token, the first one on ties, like `torch.argmax`).
///
/// The filters apply in Hugging Face's order: temperature, then top-k, then top-p. The draw
/// uses SwiftSight's own generator (xoshiro256**, seeded by SplitMix64), never the system's: the
/// same seed gives the same tokens on every run and machine. Each prompt of a batch draws from
/// its own stream (the seed mixed with the prompt's index), so a finished prompt dropping out
/// of the batch does not change what the others draw.
/// ```swift
/// let out = try await model.generate("Once upon a time", maxNewTokens: 20,
///                                    sampling: Sampling(temperature: 0.8, topK: 40, topP: 0.95, seed: 7))
/// ```
public struct Sampling: Sendable, Equatable {
    /// Divides the logits before the softmax; must be > 0 (lower is sharper).
    public var temperature: Float
    /// Keeps only the `topK` most likely tokens (ties with the k-th are kept); nil keeps all.
    public var topK: Int?
    /// Keeps the smallest set of most likely tokens whose probabilities sum to at least `topP`,
    /// in (0, 1]; nil keeps all.
    public var topP: Float?
    /// Seed of the random generator.
    public var seed: UInt64

    /// Sampling with the given filters and seed.
    public init(temperature: Float = 1, topK: Int? = nil, topP: Float? = nil, seed: UInt64 = 0) {
        (self.temperature, self.topK, self.topP, self.seed) = (temperature, topK, topP, seed)
    }

    /// Checks every value is in range.
    /// - Throws: ``GenerationError`` naming the value at fault.
    func validate() throws(GenerationError) {
        guard temperature > 0, temperature.isFinite else { throw .invalidTemperature(temperature) }
        if let topK, topK < 1 { throw .invalidTopK(topK) }
        if let topP, !(topP > 0 && topP <= 1) { throw .invalidTopP(topP) }
    }
}
