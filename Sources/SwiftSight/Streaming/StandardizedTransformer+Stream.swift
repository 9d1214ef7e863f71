import SwiftSightActors
import SwiftSightHooks
import SwiftSightLayers
import SwiftSightModels

extension StandardizedTransformer {
    /// Streams the activations at `points` for every prompt of `prompts`.
    ///
    /// Prompts are grouped `batchSize` at a time into one forward pass, and consecutive groups
    /// are in different stages of the pipeline at once. Records come in prompt order, and for
    /// each prompt in forward order of `points`. A prompt that is too long or empty ends the
    /// stream with a ``ModelError`` naming it; a point of a layer the model does not have, with
    /// ``TraceError/layerOutOfRange(_:layers:)``; a `batchSize` below one, with
    /// ``ActivationStreamError/invalidBatchSize(_:)``. The forward pass of each group ends at the last
    /// of `points`: stages after it are not computed.
    /// ```swift
    /// for try await record in model.activationStream(prompts.async, at: [.layerOutput(6)]) {
    ///     try file.write(record.value)          // the consumer sets the pace
    /// }
    /// ```
    public func activationStream<Prompts: AsyncSequence & Sendable>(
        _ prompts: Prompts, at points: Set<HookPoint>, batchSize: Int = 8
    ) -> ActivationStream where Prompts.Element == String {
        let ordered = points.sorted()
        let naming = info.naming
        return ActivationStream { [self] send in
            guard batchSize > 0 else { throw ActivationStreamError.invalidBatchSize(batchSize) }
            if let bad = ordered.first(where: { p in p.layer.map { !(0..<numLayers).contains($0) } ?? false }) {
                throw TraceError.layerOutOfRange(bad, layers: numLayers)
            }
            let items = StreamBatches(prompts: prompts, model: self, points: Set(ordered), batchSize: batchSize)
            try await pipeline.withRun(streaming: items) { item in
                for record in Self.records(of: item, points: ordered, naming: naming) { try await send(record) }
            }
        }
    }

    /// The records of one finished item: per prompt, per point in forward order.
    static func records(of item: StageItem, points: [HookPoint], naming: ModuleNaming) -> [ActivationRecord] {
        guard let observer = item.bus.observers.first as? StreamObserver, let first = item.firstIndex else { return [] }
        let values = Dictionary(observer.collected, uniquingKeysWith: { $1 })
        var out: [ActivationRecord] = []
        for s in 0..<item.batch.batchSize {
            let rows = item.batch.rows(of: s)
            for point in points {
                guard let value = values[point] else { continue }
                out.append(ActivationRecord(index: first + s, tokens: item.batch.sequences[s], point: point,
                                            key: naming.envoyKey(of: point), value: value.rows(unchecked: rows)))
            }
        }
        return out
    }
}

/// Prompts grouped into stage items, each with a bus whose observer records the watched points.
struct StreamBatches<Prompts: AsyncSequence & Sendable>: AsyncSequence, Sendable where Prompts.Element == String {
    typealias Element = StageItem
    let prompts: Prompts
    let model: StandardizedTransformer
    let points: Set<HookPoint>
    let batchSize: Int

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: Prompts.AsyncIterator
        let parent: StreamBatches
        var next = 0

        mutating func next() async throws -> StageItem? {
            var sequences: [[Int]] = []
            while sequences.count < parent.batchSize, let prompt = try await base.next() {
                let ids = parent.model.tokenizer.encode(prompt)
                do {
                    try TokenBatch([ids]).validate(for: parent.model.info)
                } catch {
                    throw error.renumbered(as: next + sequences.count)
                }
                sequences.append(ids)
            }
            guard !sequences.isEmpty else { return nil }
            let batch = TokenBatch(sequences)
            defer { next += sequences.count }
            return parent.model.pipeline.streamItem(batch, observers: [StreamObserver(points: parent.points)], firstIndex: next,
                                                    endsAfter: parent.points.max())
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: prompts.makeAsyncIterator(), parent: self) }
}

extension ModelError {
    /// The same error for prompt number `index` of a stream.
    func renumbered(as index: Int) -> ModelError {
        switch self {
        case .promptTooLong(_, let n, let max): .promptTooLong(prompt: index, tokens: n, maxPositions: max)
        case .emptyPrompt: .emptyPrompt(prompt: index)
        case .tokenOutOfRange(_, let id, let vocab): .tokenOutOfRange(prompt: index, id: id, vocabSize: vocab)
        case .noPrompts: .noPrompts
        }
    }
}
