import Foundation

/// A serial executor backed by one dedicated thread, which is also a task executor.
///
/// BLAS calls block their thread for milliseconds. Actors that run them on a `ComputeThread`
/// keep that blocking off Swift's cooperative pool (which has one thread per core), so tasks
/// awaiting interventions, streams and I/O keep running while a block is being computed.
///
/// As a task executor it runs the pipeline's per-stage task (the loop taking items from the
/// stage's channel) on the stage's own thread: calling into the stage then needs no hop
/// between threads, and handing an item to the next stage wakes only that stage's thread.
package final class ComputeThread: SerialExecutor, TaskExecutor, @unchecked Sendable {
    // @unchecked: `jobs` and `running` are only touched with `condition` locked.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var running = true

    /// Starts a thread named `name` that runs the jobs enqueued on this executor, in order.
    package init(name: String) {
        // The thread keeps the executor alive until `shutdown()` lets its loop end.
        let thread = Thread { self.loop() }
        thread.name = name
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Stops the thread once the jobs already enqueued have run.
    package func shutdown() {
        condition.lock()
        running = false
        condition.signal()
        condition.unlock()
    }

    package func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        condition.lock()
        jobs.append(unowned)
        condition.signal()
        condition.unlock()
    }

    package func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    package func asUnownedTaskExecutor() -> UnownedTaskExecutor {
        UnownedTaskExecutor(ordinary: self)
    }

    private func loop() {
        while true {
            condition.lock()
            while jobs.isEmpty && running { condition.wait() }
            if jobs.isEmpty && !running { condition.unlock(); return }
            let batch = jobs
            jobs.removeAll(keepingCapacity: true)
            condition.unlock()
            for job in batch {
                job.runSynchronously(isolatedTo: asUnownedSerialExecutor(), taskExecutor: asUnownedTaskExecutor())
            }
        }
    }
}
