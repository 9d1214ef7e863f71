import SwiftSightHooks
import SwiftSightModels

extension StandardizedTransformer {
    /// Continues `prompt` by up to `maxNewTokens` tokens.
    ///
    /// Greedy unless `sampling` is given. Stops early at end-of-text (unless `stopAtEndOfText`
    /// is false) or at any of `stopTokens`; the stop token is the last of the new ids. Each step
    /// computes only the new token, attending over the prefix's cached keys and values.
    /// ```swift
    /// let out = try await model.generate("My tailor is rich", maxNewTokens: 20)
    /// print(out.ids, out.text)
    /// ```
    /// - Throws: ``GenerationError`` (negative `maxNewTokens`, prompt plus new tokens beyond
    ///   `n_positions` or `max_position_embeddings`, sampling values out of range, a stop token
    ///   outside the vocabulary), ``ModelError`` for a bad prompt; `CancellationError` when the
    ///   calling task is cancelled (never a shortened output: only `maxNewTokens`, a stop token
    ///   or `stop()` end a generation early with a result).
    public func generate(_ prompt: String, maxNewTokens: Int, sampling: Sampling? = nil, stopTokens: [Int] = [],
                         stopAtEndOfText: Bool = true) async throws -> GeneratedText {
        try await generate(ids: [tokenize(prompt)], maxNewTokens: maxNewTokens, sampling: sampling,
                           stopTokens: stopTokens, stopAtEndOfText: stopAtEndOfText)[0]
    }

    /// Continues several prompts of any lengths as one batch; each stops on its own, and a
    /// prompt that has stopped drops out of the later steps. Each output equals generating
    /// its prompt alone.
    public func generate(_ prompts: [String], maxNewTokens: Int, sampling: Sampling? = nil, stopTokens: [Int] = [],
                         stopAtEndOfText: Bool = true) async throws -> [GeneratedText] {
        try await generate(ids: prompts.map(tokenize), maxNewTokens: maxNewTokens, sampling: sampling,
                           stopTokens: stopTokens, stopAtEndOfText: stopAtEndOfText)
    }

    /// Continues prompts given as token ids.
    public func generate(ids prompts: [[Int]], maxNewTokens: Int, sampling: Sampling? = nil, stopTokens: [Int] = [],
                         stopAtEndOfText: Bool = true) async throws -> [GeneratedText] {
        let loop = GenerationLoop<Never>(model: self, prompts: prompts, maxNewTokens: maxNewTokens, sampling: sampling,
                                         stopTokens: stopTokens, stopAtEndOfText: stopAtEndOfText, steps: { _ in false }, body: nil)
        return try await loop.run().outputs
    }

    /// Generates with intervention code at every step in `steps` (nnsight's `tracer.iter[...]`
    /// and `tracer.all()`).
    ///
    /// `body` runs once per selected step with a ``Tracer`` on that step's forward pass: it can
    /// read and edit any hook point, in forward order, as in ``trace(_:gradients:_:)``. Step 0
    /// is the prompt pass (values [prompts, length, width]); at step k > 0 only the new token
    /// is computed, so values are [prompts, 1, width]. What `body` returns is kept by step in
    /// ``Generation/values``. Unlike an unbounded `tracer.all()` in nnsight (their issue #595),
    /// nothing is skipped: `body` is a closure called per step, and the code after `generate`
    /// runs once the generation is over. `t.stop()` ends the generation at that step.
    /// ```swift
    /// let run = try await model.generate("Hello", maxNewTokens: 5, steps: 0...2) { step, t in
    ///     try await t.layersOutput[1]          // [1, n, 64] at step 0, then [1, 1, 64]
    /// }
    /// ```
    public func generate<R: Sendable>(
        _ prompt: String, maxNewTokens: Int, sampling: Sampling? = nil, stopTokens: [Int] = [],
        stopAtEndOfText: Bool = true, steps: some RangeExpression<Int> & Sendable = 0...,
        _ body: @escaping @Sendable (GenerationStep, Tracer) async throws -> R
    ) async throws -> Generation<R> {
        try await generate([prompt], maxNewTokens: maxNewTokens, sampling: sampling, stopTokens: stopTokens,
                           stopAtEndOfText: stopAtEndOfText, steps: steps, body)
    }

    /// Generates for several prompts as one batch with intervention code at every step in
    /// `steps`; the tracer's rows are the prompts still generating (``GenerationStep/prompts``).
    public func generate<R: Sendable>(
        _ prompts: [String], maxNewTokens: Int, sampling: Sampling? = nil, stopTokens: [Int] = [],
        stopAtEndOfText: Bool = true, steps: some RangeExpression<Int> & Sendable = 0...,
        _ body: @escaping @Sendable (GenerationStep, Tracer) async throws -> R
    ) async throws -> Generation<R> {
        let loop = GenerationLoop(model: self, prompts: prompts.map(tokenize), maxNewTokens: maxNewTokens,
                                  sampling: sampling, stopTokens: stopTokens, stopAtEndOfText: stopAtEndOfText,
                                  steps: { steps.contains($0) }, body: body)
        return try await loop.run()
    }

    /// The end-of-text token, if the model has one.
    var endOfTextID: Int? { tokenizer.endOfTextID ?? info.eosTokenID }

    /// `stopTokens`, plus end-of-text and every end-of-sequence id of the config (Llama 3
    /// lists several) when `stopAtEndOfText`.
    func stopSet(_ stopTokens: [Int], _ stopAtEndOfText: Bool) -> Set<Int> {
        Set(stopTokens).union(stopAtEndOfText ? (endOfTextID.map { [$0] } ?? []) + info.eosTokenIDs : [])
    }
}
