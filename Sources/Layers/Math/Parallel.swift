import SwiftSightCKernels
import Dispatch
import Foundation

/// Splits work over the cores: the packed-weight products, and the work around them (norms,
/// activations, attention's per-head products) that would otherwise run on one core while the
/// others wait. (OpenBLAS's products run on its own threads.)
///
/// The loops run on a pool of worker threads (`CKernels/pool.c`) that spin for 0.2 ms after a
/// loop before they sleep: a generation step is about fifty products of a fraction of a
/// millisecond each, and waking a sleeping thread for each cost 20–30 % of the step
/// (Docs/benchmarks/2026-11-27.md). One loop runs on the pool at a time; a loop started while it is busy
/// runs on its caller's thread alone. Where the pool does not exist (other systems than Linux),
/// loops run on Dispatch's `concurrentPerform`.
package enum Parallel {
    /// Worker count: the active processor count.
    package static let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// Calls `body` with disjoint ranges covering `0..<count`, concurrently when there is
    /// enough work (`count * costPerItem` above about 32k operations), else once on this thread.
    /// Returns when every range is done.
    ///
    /// `tasksPerWorker` above 1 cuts the work finer: the threads take the ranges as they free
    /// up, so one thread the OS runs late (a busy machine) delays only its last small range.
    package static func forRanges(_ count: Int, costPerItem: Int = 1, tasksPerWorker: Int = 1,
                                 _ body: (Range<Int>) -> Void) {
        let tasks = min(workers * max(1, tasksPerWorker), count)
        guard tasks > 1, count * costPerItem >= 32_768 else {
            if count > 0 { body(0..<count) }
            return
        }
        withoutActuallyEscaping(body) { body in
            var job = Job(count: count, tasks: tasks, body: body)
            let ran = withUnsafeMutablePointer(to: &job) { job in
                ss_pool_run(tasks, { context, t in
                    // The pool returns only when every task has run, so `job` outlives them.
                    context.unsafelyUnwrapped.assumingMemoryBound(to: Job.self).pointee.run(t)
                }, job) != 0
            }
            guard !ran else { return }
            if poolAvailable {
                body(0..<count)  // the pool is busy with another thread's loop, and so are the cores
            } else {
                // No pool here (not Linux): Dispatch's threads. The iterations touch disjoint
                // ranges and concurrentPerform returns when all have run.
                nonisolated(unsafe) let job = job
                DispatchQueue.concurrentPerform(iterations: tasks) { job.run($0) }
            }
        }
    }

    private static let poolAvailable = ss_pool_available() != 0

    /// One loop as the pool's tasks see it: task t gets the t-th of `tasks` equal ranges.
    private struct Job {
        let count: Int
        let tasks: Int
        let body: (Range<Int>) -> Void

        func run(_ t: Int) { body((count * t / tasks)..<(count * (t + 1) / tasks)) }
    }

    /// Calls `body(i)` for every `i` in `0..<count`, spread over the cores.
    package static func forEach(_ count: Int, costPerItem: Int = 1, _ body: (Int) -> Void) {
        forRanges(count, costPerItem: costPerItem) { range in for i in range { body(i) } }
    }
}
