import AsyncAlgorithms

extension Pipeline {
    /// Runs a sequence of items through the stages, one task per stage joined by channels, so
    /// consecutive items are in different stages at once. `output` receives each finished item
    /// (its `hidden` holds the logits) in order; while it is busy, the stages wait for it.
    ///
    /// The stage tasks are the run's: they have all ended when this returns or throws. Each
    /// item's bus is its caller's to end (``run(_:bus:cache:logitRows:outputDiscarded:)`` does).
    /// - Throws: the first error of a stage or of `items`, what `output` throws;
    ///   `CancellationError` when the calling task is cancelled before every item came out.
    package func withRun<Items: AsyncSequence & Sendable>(
        streaming items: Items, output: (StageItem) async throws -> Void
    ) async throws where Items.Element == StageItem {
        let channels = (0...stages.count).map { _ in AsyncThrowingChannel<StageItem, Error>() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (i, stage) in stages.enumerated() {
                let (input, next) = (channels[i], channels[i + 1])
                // On the stage's thread: taking an item and computing it switch no threads.
                group.addTask(executorPreference: stage.thread) {
                    do {
                        for try await item in input {
                            if stage.isPast(item) {
                                var passed = item
                                passed.endedEarly = true
                                await next.send(passed)
                            } else {
                                await next.send(try await stage.process(item))
                            }
                        }
                        // A cancelled task's channel iteration ends with nil and its `send` drops
                        // the item: the loop ending is not the items ending.
                        try Task.checkCancellation()
                        next.finish()
                    } catch {
                        next.fail(error)
                    }
                }
            }
            group.addTask {
                do {
                    for try await item in items { await channels[0].send(item) }
                    try Task.checkCancellation()
                    channels[0].finish()
                } catch {
                    channels[0].fail(error)
                }
            }
            defer { group.cancelAll() }
            for try await finished in channels[stages.count] { try await output(finished) }
            // The output channel also ends (with nil) when this task is cancelled: only a loop
            // that ended without cancellation saw every item.
            try Task.checkCancellation()
        }
    }
}
