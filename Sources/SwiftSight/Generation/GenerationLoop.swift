import SwiftSightActors
import SwiftSightHooks
import SwiftSightLayers
import SwiftSightModels

/// A new token, as a generation produces it.
struct ProducedToken: Sendable {
    let prompt: Int
    let step: Int
    let id: Int
    let isLast: Bool
}

/// One generation: a prompt pass, then one step per new token, each a run of the model's
/// stage pipeline (so every hook point fires at every step) over only the new positions, with
/// the sequences' keys and values carried from step to step in a ``KVCache``.
struct GenerationLoop<Value: Sendable>: Sendable {
    let model: StandardizedTransformer
    let prompts: [[Int]]
    let maxNewTokens: Int
    let sampling: Sampling?
    /// The stop tokens the caller gave (checked against the vocabulary).
    let requestedStopTokens: [Int]
    /// Those, plus end-of-text and the config's end-of-sequence ids when asked.
    let stopTokens: Set<Int>
    /// Steps the closure runs at.
    let steps: @Sendable (Int) -> Bool
    let body: (@Sendable (GenerationStep, Tracer) async throws -> Value)?

    init(model: StandardizedTransformer, prompts: [[Int]], maxNewTokens: Int, sampling: Sampling?,
         stopTokens: [Int], stopAtEndOfText: Bool, steps: @escaping @Sendable (Int) -> Bool,
         body: (@Sendable (GenerationStep, Tracer) async throws -> Value)?) {
        (self.model, self.prompts, self.maxNewTokens, self.sampling) = (model, prompts, maxNewTokens, sampling)
        requestedStopTokens = stopTokens
        self.stopTokens = model.stopSet(stopTokens, stopAtEndOfText)
        (self.steps, self.body) = (steps, body)
    }

    /// Most positions per sequence the KV cache reserves up front; beyond it the cache grows as
    /// tokens arrive. A generation that stops early (or a model whose configuration allows a
    /// huge context) then never reserves memory for tokens it does not produce.
    static var reservedPositions: Int { 4096 }

    /// Checks the request against the model's limits. `maxNewTokens` is the caller's: every sum
    /// with it is compared without being computed, so no value can overflow.
    func validate() throws {
        guard maxNewTokens >= 0 else { throw GenerationError.negativeMaxNewTokens(maxNewTokens) }
        try sampling?.validate()
        try TokenBatch(prompts).validate(for: model.info)
        let vocab = model.info.vocabSize
        if let bad = requestedStopTokens.first(where: { !(0..<vocab).contains($0) }) {
            throw GenerationError.stopTokenOutOfRange(bad, vocabSize: vocab)
        }
        let limit = model.info.maxPositions
        for (p, ids) in prompts.enumerated() where maxNewTokens > limit - ids.count {
            throw GenerationError.exceedsPositions(prompt: p, promptTokens: ids.count, maxNewTokens: maxNewTokens,
                                                   maxPositions: limit)
        }
    }

    /// Runs the generation; `onToken` sees each new token as soon as it is chosen.
    /// - Throws: `CancellationError` when the calling task is cancelled: a generation cut short
    ///   is not a result (a stop token, `maxNewTokens` and `stop()` are).
    func run(onToken: @Sendable (ProducedToken) async throws -> Void = { _ in }) async throws -> Generation<Value> {
        try validate()
        let n = prompts.count
        // validate() guarantees every prompt plus maxNewTokens fits in maxPositions: no overflow.
        let longest = prompts.map(\.count).max() ?? 0
        let cache = KVCache(count: n, layers: model.numLayers, width: model.info.keyValueWidth,
                            capacity: min(longest + maxNewTokens, Self.reservedPositions))
        var chooser = TokenChooser(sampling: sampling, count: n)
        var generated = [[Int]](repeating: [], count: n)
        var reasons = [StopReason?](repeating: nil, count: n)
        var inputs = prompts
        var past = [Int](repeating: 0, count: n)
        var live = Array(0..<n)
        var values: [Int: Value] = [:]
        var step = 0
        while step < maxNewTokens, !live.isEmpty {
            try Task.checkCancellation()
            let batch = TokenBatch(live.map { inputs[$0] }, pastLengths: live.map { past[$0] })
            let info = GenerationStep(index: step, prompts: live)
            let (logits, value) = try await forward(batch, cache: cache.selecting(live), step: info)
            if let value { values[step] = value }
            // The pipeline returns no logits only when an intervention called stop(); a
            // cancelled step throws instead.
            guard let logits else {
                for s in live { reasons[s] = .stopped }
                break
            }
            let vocab = logits.shape[1]
            let lastRowsOnly = logits.shape[0] == live.count
            var chosen: [Int] = []
            if sampling == nil, vocab == 1, model.info.vocabSize > 1 {
                // The head chose already (LogitRows.greedyTokenOfEachSequence): one id per sequence.
                chosen = logits.scalars.map { Int($0) }
            } else {
                logits.withUnsafeBuffer { l in
                    for (i, _) in live.enumerated() {
                        let row = lastRowsOnly ? i : batch.offsets[i + 1] - 1
                        chosen.append(chooser.choose(UnsafeBufferPointer(rebasing: l[(row * vocab)..<((row + 1) * vocab)]),
                                                     sequence: live[i]))
                    }
                }
            }
            for (s, id) in zip(live, chosen) {
                generated[s].append(id)
                past[s] += inputs[s].count
                inputs[s] = [id]
                if stopTokens.contains(id) { reasons[s] = .stopToken(id) }
                try await onToken(ProducedToken(prompt: s, step: step, id: id,
                                                isLast: reasons[s] != nil || step + 1 == maxNewTokens))
            }
            live = live.filter { reasons[$0] == nil }
            step += 1
        }
        let outputs = (0..<n).map { s in
            GeneratedText(promptIDs: prompts[s], ids: generated[s],
                          text: model.tokenizer.decode(generated[s], skipSpecialTokens: true),
                          stopReason: reasons[s] ?? .maxNewTokens)
        }
        return Generation(outputs: outputs, values: values)
    }

    /// One step's forward pass: through the pipeline with the step's cache, with the closure
    /// running alongside on a tracer when it is selected for this step.
    /// - Returns: the packed logits (nil if an intervention stopped the step), and the closure's value.
    private func forward(_ batch: TokenBatch, cache: KVCache, step: GenerationStep) async throws -> (Tensor?, Value?) {
        let pipeline = model.pipeline
        // Greedy steps need only each sequence's argmax, unless an intervention reads the logits.
        let logitRows: LogitRows = sampling == nil ? .greedyTokenOfEachSequence : .lastOfEachSequence
        guard let body, steps(step.index) else {
            return (try await pipeline.run(batch, cache: cache, logitRows: logitRows), nil)
        }
        let info = model.info
        let result = try await pipeline.withRun(batch, invokes: [0..<batch.batchSize], cache: cache, logitRows: logitRows) { run, invoke in
            try await body(step, Tracer(run, invoke: invoke, info: info))
        }
        return (result.logits, result.values.first)
    }
}
