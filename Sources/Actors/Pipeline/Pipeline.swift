import SwiftSightHooks
import SwiftSightLayers
import SwiftSightModels

/// A model's forward pass as a chain of actor stages joined by async channels.
///
/// Stages (embeddings, one per block, head) are long-lived actors that own their layer's work.
/// Each run of a batch starts one task per stage, joined by `AsyncThrowingChannel`s, whose
/// `send` waits until the next stage takes the item (back-pressure). When an intervention
/// stops the trace, the stage at the stop point ends its channel and the run cancels the rest
/// of its tasks: later stages never compute. A ``Run`` owns all of a run's tasks
/// (`Sources/Actors/Run`); the pipeline outlives them. See Docs/Architecture.md.
package final class Pipeline: Sendable {
    /// The model the stages compute.
    package let model: any TransformerModel
    /// The stages in forward order.
    package let stages: [Stage]
    /// Where backward passes run.
    package let backwardWorker = ComputeWorker(name: "swiftsight.backward")
    private let counters = PipelineCounters()

    /// Builds the stages of `model`.
    package init(model: any TransformerModel) {
        self.model = model
        let counters = self.counters
        stages = [Stage(.embeddings, model: model, counters: counters)]
            + (0..<model.info.numLayers).map { Stage(.block($0), model: model, counters: counters) }
            + [Stage(.head, model: model, counters: counters)]
    }

    /// Transformer blocks computed so far by this pipeline, over all runs.
    package var blocksComputed: Int { counters.statistics.blocksComputed }
    /// Counts of the work done so far, over all runs.
    package var statistics: PipelineStatistics { counters.statistics }
}
