import Synchronization

/// A token produced by a streaming generation.
public struct GeneratedToken: Sendable, Equatable {
    /// Which prompt of the batch it continues.
    public let prompt: Int
    /// The step that chose it (0: the prompt pass).
    public let step: Int
    /// The token id.
    public let id: Int
    /// The text it completes. Byte-level tokens can end inside a character: such text is held
    /// back (empty here) and comes with the token that completes the character, so joining the
    /// texts of a prompt's tokens gives its full text.
    public let text: String
}

/// The tokens of a generation, delivered as they are chosen.
///
/// The stream holds no buffer: the next step is computed once the consumer has taken the
/// token. Leaving the loop stops the generation; cancelling the consuming task stops it too, and
/// the loop then throws `CancellationError` (a cut-off generation is not a finished one).
/// ```swift
/// for try await token in model.generationStream("Once upon a time", maxNewTokens: 20) {
///     print(token.text, terminator: "")
/// }
/// ```
public typealias GenerationStream = ProducedStream<GeneratedToken>

/// Turns each prompt's growing list of ids into the text each new token adds.
struct IncrementalDecoder: Sendable {
    let decode: @Sendable ([Int]) -> String
    private var ids: [[Int]]
    private var emitted: [Int]

    init(prompts: Int, decode: @escaping @Sendable ([Int]) -> String) {
        self.decode = decode
        ids = Array(repeating: [], count: prompts)
        emitted = Array(repeating: 0, count: prompts)
    }

    /// The text `id` adds to prompt `prompt`; held back while it ends inside a character
    /// (unless it is the prompt's last token).
    mutating func add(_ id: Int, prompt: Int, isLast: Bool) -> String {
        ids[prompt].append(id)
        let scalars = decode(ids[prompt]).unicodeScalars
        if !isLast, scalars.last == "\u{FFFD}" { return "" }
        let new = scalars.dropFirst(emitted[prompt])
        emitted[prompt] = scalars.count
        return String(String.UnicodeScalarView(new))
    }
}

extension StandardizedTransformer {
    /// Streams the new tokens of `prompt` as they are generated (greedy unless `sampling` is
    /// given; the same tokens as ``generate(_:maxNewTokens:sampling:stopTokens:stopAtEndOfText:)``).
    /// Validation errors (see ``GenerationError``) are thrown by the first `next()`.
    public func generationStream(_ prompt: String, maxNewTokens: Int, sampling: Sampling? = nil,
                                 stopTokens: [Int] = [], stopAtEndOfText: Bool = true) -> GenerationStream {
        generationStream([prompt], maxNewTokens: maxNewTokens, sampling: sampling, stopTokens: stopTokens,
                         stopAtEndOfText: stopAtEndOfText)
    }

    /// Streams the new tokens of several prompts generated as one batch, in step order (within a
    /// step, in prompt order); ``GeneratedToken/prompt`` says which prompt each continues.
    public func generationStream(_ prompts: [String], maxNewTokens: Int, sampling: Sampling? = nil,
                                 stopTokens: [Int] = [], stopAtEndOfText: Bool = true) -> GenerationStream {
        let loop = GenerationLoop<Never>(model: self, prompts: prompts.map(tokenize), maxNewTokens: maxNewTokens,
                                         sampling: sampling, stopTokens: stopTokens, stopAtEndOfText: stopAtEndOfText,
                                         steps: { _ in false }, body: nil)
        let tokenizer = self.tokenizer
        return GenerationStream { send in
            let decoder = Mutex(IncrementalDecoder(prompts: prompts.count) { tokenizer.decode($0, skipSpecialTokens: true) })
            _ = try await loop.run { token in
                let text = decoder.withLock { $0.add(token.id, prompt: token.prompt, isLast: token.isLast) }
                try await send(GeneratedToken(prompt: token.prompt, step: token.step, id: token.id, text: text))
            }
        }
    }
}
