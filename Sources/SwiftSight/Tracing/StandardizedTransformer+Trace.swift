import SwiftSightActors
import SwiftSightCache
import SwiftSightHooks
import SwiftSightLayers
import SwiftSightModels

extension StandardizedTransformer {
    /// Runs `prompt` with intervention code: read and change activations in forward order.
    ///
    /// What the closure returns is what the trace returns. The forward pass waits for the
    /// closure at each point it asked for; an error thrown in the closure ends the trace and is
    /// rethrown unchanged. Cancelling the calling task ends the trace with `CancellationError`.
    public func trace<R: Sendable>(_ prompt: String, gradients: GradientMode = .off,
                                   _ body: @escaping @Sendable (Tracer) async throws -> R) async throws -> R {
        try await trace(invokes: [Invoke(prompt, body)], gradients: gradients)[0]
    }

    /// Runs several prompts as one invoke (values are [prompts, length, width], left-padded).
    public func trace<R: Sendable>(_ prompts: [String], gradients: GradientMode = .off,
                                   _ body: @escaping @Sendable (Tracer) async throws -> R) async throws -> R {
        try await trace(invokes: [Invoke(prompts, body)], gradients: gradients)[0]
    }

    /// Runs one sequence of token ids (no tokenizer involved).
    /// - Throws: ``ModelError/tokenOutOfRange(prompt:id:vocabSize:)`` for an id outside the vocabulary.
    public func trace<R: Sendable>(tokens: [Int], gradients: GradientMode = .off,
                                   _ body: @escaping @Sendable (Tracer) async throws -> R) async throws -> R {
        try await trace(invokes: [Invoke(tokens: [tokens], body)], gradients: gradients)[0]
    }

    /// Runs `prompt` with intervention code and caches the modules `request` names.
    /// - Throws: ``CacheError/stoppedBeforeCached(missing:stoppedAfter:)`` when a `stop()` kept the
    ///   pass from reaching requested modules (unless ``CacheRequest/allowPartial``).
    public func trace<R: Sendable>(_ prompt: String, cache request: CacheRequest,
                                   _ body: @escaping @Sendable (Tracer) async throws -> R) async throws -> Traced<R> {
        let (values, cache) = try await run(invokes: [Invoke(prompt, body)], cache: request, gradients: .off)
        return Traced(value: values[0], cache: cache ?? ActivationCache(naming: info.naming))
    }

    /// Runs every invoke's prompts as one batched forward pass, each with its own intervention
    /// code; returns what each invoke returned, in order.
    /// With `gradients` other than `.off`, intervention code can call ``Tracer/backward(_:retainGraph:editing:)``.
    public func trace<R: Sendable>(invokes: [Invoke<R>], gradients: GradientMode = .off) async throws -> [R] {
        try await run(invokes: invokes, cache: nil, gradients: gradients).values
    }

    /// Runs invokes, caching the modules `request` names, and returns what each returned.
    /// - Throws: ``CacheError/stoppedBeforeCached(missing:stoppedAfter:)`` as the single-prompt form.
    public func trace<R: Sendable>(invokes: [Invoke<R>], cache request: CacheRequest) async throws -> Traced<[R]> {
        let (values, cache) = try await run(invokes: invokes, cache: request, gradients: .off)
        return Traced(value: values, cache: cache ?? ActivationCache(naming: info.naming))
    }

    private func run<R: Sendable>(invokes: [Invoke<R>], cache request: CacheRequest?,
                                  gradients: GradientMode) async throws -> (values: [R], cache: ActivationCache?) {
        let recorder = try request.map {
            CacheRecorder(points: try $0.points(naming: info.naming, layers: numLayers), naming: info.naming,
                          allowPartial: $0.allowPartial)
        }
        let values = try await trace(invokes: invokes, recorder: recorder, gradients: gradients)
        return (values, recorder?.recorded)
    }

    /// Runs invokes with an optional cache subscriber.
    func trace<R: Sendable>(invokes: [Invoke<R>], recorder: CacheRecorder?, gradients: GradientMode = .off) async throws -> [R] {
        let info = self.info
        var sequences: [[Int]] = []
        var groups: [Range<Int>] = []
        for invoke in invokes {
            let start = sequences.count
            sequences += invoke.sequences(tokenizer)
            groups.append(start..<sequences.count)
        }
        let batch = TokenBatch(sequences)
        try batch.validate(for: info)
        let tape = gradients == .off ? nil : GradientTape(parameterGradients: gradients == .parameters)
        // Only the interventions' values leave a trace: the pass ends when they are done.
        let result = try await pipeline.withRun(batch, invokes: groups, observers: recorder.map { [$0] } ?? [], tape: tape,
                                                outputDiscarded: true) { run, i in
            try await invokes[i].body(Tracer(run, invoke: i, info: info))
        }
        // A cache that a stop() kept from reaching a requested module is an error, not a
        // smaller cache (unless the request allows it).
        if let recorder, let stop = result.stoppedAfter { try recorder.checkComplete(stoppedAfter: stop) }
        return result.values
    }
}

extension Tracer {
    /// Invoke `invoke`'s view of `run`.
    init(_ run: Run, invoke: Int, info: ModelInfo) {
        self.init(bus: run.bus, invoke: invoke, worker: run.pipeline.backwardWorker, info: info)
    }
}
