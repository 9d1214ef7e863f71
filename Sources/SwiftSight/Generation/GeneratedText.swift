/// What one prompt produced in a generation.
public struct GeneratedText: Sendable, Equatable {
    /// The prompt's token ids.
    public let promptIDs: [Int]
    /// The new token ids, in order; the stop token is included when one ended the generation
    /// (as in Hugging Face's `generate`).
    public let ids: [Int]
    /// The new tokens decoded, special tokens (such as `<|endoftext|>`) left out.
    public let text: String
    /// Why this prompt stopped.
    public let stopReason: StopReason

    /// A prompt's output.
    public init(promptIDs: [Int], ids: [Int], text: String, stopReason: StopReason) {
        (self.promptIDs, self.ids, self.text, self.stopReason) = (promptIDs, ids, text, stopReason)
    }
}

/// Why a prompt's generation ended.
public enum StopReason: Sendable, Equatable {
    /// It produced `maxNewTokens` tokens.
    case maxNewTokens
    /// It produced a stop token (end-of-text, or one of the given stop tokens).
    case stopToken(Int)
    /// An intervention called `stop()` during a step: that step produced no token.
    case stopped
}

/// What a generation with per-step interventions returns: each prompt's output, and what the
/// step closure returned at each step it ran.
public struct Generation<Value: Sendable>: Sendable {
    /// One output per prompt, in prompt order.
    public let outputs: [GeneratedText]
    /// The step closure's results, by step index (step 0 is the prompt pass).
    public let values: [Int: Value]

    /// The first (or only) prompt's output.
    public var output: GeneratedText? { outputs.first }
}

/// One step of a generation, as the per-step closure sees it.
public struct GenerationStep: Sendable, Equatable {
    /// The step: 0 is the prompt pass (every prompt's tokens), step k > 0 feeds the token chosen
    /// at step k - 1 (one position per sequence, the rest comes from the KV cache).
    public let index: Int
    /// The prompts still generating at this step, in the order of the tracer's rows.
    /// Prompts that have stopped drop out of the batch.
    public let prompts: [Int]

    /// Whether this is the prompt pass.
    public var isPrompt: Bool { index == 0 }
}
