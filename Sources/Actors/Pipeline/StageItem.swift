import SwiftSightHooks
import SwiftSightLayers
import SwiftSightModels

/// What travels from one stage to the next: one trace's batch, its residual stream so far, and
/// the hook bus its interventions listen on.
package struct StageItem: Sendable {
    /// The trace's sequences.
    package let batch: TokenBatch
    /// The trace's hook bus.
    package let bus: HookBus
    /// The packed residual stream, [rows, hidden]; after the head stage, the logits [rows, vocab].
    package var hidden: Tensor

    /// For streams: the index of the item's first sequence in the stream.
    package let firstIndex: Int?
    /// For traces that take gradients: the tape the forward pass records on. Such items are
    /// computed alone (never merged with other traces).
    package let tape: GradientTape?
    /// The model to compute with instead of the stage's own (its parameters watched on `tape`).
    package let model: (any TransformerModel)?
    /// For generation steps: the keys and values of each sequence's prefix; each block stage
    /// appends its layer's new rows. Items with a cache merge only with items with a cache.
    package let cache: KVCache?
    /// The last point anyone takes from this item, when known in advance (an activation stream
    /// watching fixed points): stages whose points all come later pass the item on without
    /// computing. nil: the whole model runs.
    package let endsAfter: HookPoint?
    /// Which rows of logits the head computes.
    package let logitRows: LogitRows
    /// Whether the caller discards the logits (a trace returns only what its interventions
    /// return): once every intervention has returned and no observer watches a later point,
    /// the remaining stages pass the item on without computing.
    package let outputDiscarded: Bool
    /// Set when a stage passed the item on without computing: `hidden` is not the stage's output.
    package internal(set) var endedEarly = false

    /// An item entering the first stage.
    package init(batch: TokenBatch, bus: HookBus, firstIndex: Int? = nil, tape: GradientTape? = nil,
                model: (any TransformerModel)? = nil, cache: KVCache? = nil, endsAfter: HookPoint? = nil,
                logitRows: LogitRows = .all, outputDiscarded: Bool = false) {
        self.outputDiscarded = outputDiscarded
        self.model = model
        self.cache = cache
        self.endsAfter = endsAfter
        self.logitRows = logitRows
        self.batch = batch
        self.bus = bus
        self.firstIndex = firstIndex
        self.tape = tape
        self.hidden = Tensor.zeros(unchecked: [0])
    }
}

/// Which rows the head turns into logits.
package enum LogitRows: Sendable, Equatable {
    /// Every row: logits are [rows, vocab].
    case all
    /// Only each sequence's last row, when no intervention or observer takes `lnFinal` or
    /// `logits`: logits are then [sequences, vocab]. Generation needs no more, and at a vocabulary
    /// of 50k the head is the largest product of a prompt pass.
    case lastOfEachSequence
    /// Only each sequence's greedy token, when no intervention or observer takes `lnFinal` or
    /// `logits`: the head's output is then [sequences, 1], each sequence's first argmax as a
    /// Float (token ids are exact in Float up to 2²⁴), computed without every logit
    /// (``TransformerModel/greedyTokens(_:)``). Otherwise as ``lastOfEachSequence``.
    case greedyTokenOfEachSequence
}
