import Hooks
import Layers
import Models
import Synchronization

/// One stage of the pipeline: the embeddings, one transformer block, or the final norm and
/// head. Each stage is an actor on its own ``ComputeThread``, so different traces can be in
/// different stages at once (trace B in block 0 while trace A is in block 5) and the blocking
/// BLAS work stays off the cooperative thread pool.
public actor Stage {
    /// What a stage computes.
    public enum Kind: Sendable, Equatable, CustomStringConvertible {
        case embeddings
        case block(Int)
        case head

        public var description: String {
            switch self {
            case .embeddings: "embeddings"
            case .block(let i): "block \(i)"
            case .head: "head"
            }
        }
    }

    /// What this stage computes.
    public nonisolated let kind: Kind
    private nonisolated let model: any TransformerModel
    private nonisolated let thread: ComputeThread
    private nonisolated let counters: PipelineCounters

    init(_ kind: Kind, model: any TransformerModel, counters: PipelineCounters) {
        self.kind = kind
        self.model = model
        self.counters = counters
        self.thread = ComputeThread(name: "swiftsight.\(kind)")
    }

    deinit { thread.shutdown() }

    public nonisolated var unownedExecutor: UnownedSerialExecutor { thread.asUnownedSerialExecutor() }

    /// Runs this stage on `item`, firing its hook points on the item's bus.
    /// - Throws: ``TraceStopped`` when an intervention stopped the trace at one of this stage's points.
    public func process(_ item: StageItem) async throws -> StageItem {
        try Task.checkCancellation()
        var item = item
        let bus = item.bus
        switch kind {
        case .embeddings:
            var embeddings = model.tokenEmbeddings(item.batch)
            try await bus.reach(.tokenEmbeddings, &embeddings)
            item.hidden = model.firstLayerInput(tokenEmbeddings: embeddings, batch: item.batch)
        case .block(let layer):
            try await bus.reach(.layerInput(layer), &item.hidden)
            item.hidden = try await block(layer, item.hidden, item: item)
            try await bus.reach(.layerOutput(layer), &item.hidden)
        case .head:
            var normed = model.finalNorm(item.hidden)
            try await bus.reach(.lnFinal, &normed)
            item.hidden = model.unembed(normed)
            try await bus.reach(.logits, &item.hidden)
        }
        return item
    }

    /// The block's output, honouring invokes that asked to skip it.
    private func block(_ layer: Int, _ input: Tensor, item: StageItem) async throws -> Tensor {
        let bus = item.bus
        let skips = bus.skips(layer: layer)
        var output: Tensor
        if skips.count == bus.invokeSequences.count {
            output = input
        } else {
            output = try await model.block(layer, input, batch: item.batch) { point, value in
                try await bus.reach(point, &value)
            }
            counters.blockComputed()
        }
        for (invoke, replacement) in skips {
            let sequences = bus.invokeSequences[invoke]
            let value = replacement ?? bus.layout.leftPadded(input, sequences: sequences)
            bus.layout.scatter(value, into: &output, sequences: sequences)
        }
        return output
    }
}

/// Counts of work done, for tests and benchmarks that check what `stop()` and skipping save.
final class PipelineCounters: Sendable {
    private let blocks = Atomic<Int>(0)
    func blockComputed() { blocks.add(1, ordering: .relaxed) }
    var blocksComputed: Int { blocks.load(ordering: .relaxed) }
}
