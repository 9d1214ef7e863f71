import Dispatch
import Foundation

/// Splits element-wise work over the cores.
///
/// Matrix products already run on every core inside OpenBLAS; this is for the work around them
/// (norms, activations, attention's small per-head products) that would otherwise run on one
/// core while the other waits.
public enum Parallel {
    /// Worker count: the active processor count.
    public static let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// Calls `body` with disjoint ranges covering `0..<count`, concurrently when there is
    /// enough work (`count * costPerItem` above about 32k operations), else once on this thread.
    ///
    /// `tasksPerWorker` above 1 cuts the work finer: the threads take the ranges as they free
    /// up, so one thread the OS runs late (a busy machine) delays only its last small range.
    public static func forRanges(_ count: Int, costPerItem: Int = 1, tasksPerWorker: Int = 1,
                                 _ body: (Range<Int>) -> Void) {
        let tasks = min(workers * max(1, tasksPerWorker), count)
        guard tasks > 1, count * costPerItem >= 32_768 else {
            if count > 0 { body(0..<count) }
            return
        }
        withoutActuallyEscaping(body) { body in
            // concurrentPerform returns only when every iteration has run, and the iterations
            // touch disjoint ranges, so sharing the non-Sendable closure is safe.
            nonisolated(unsafe) let body = body
            DispatchQueue.concurrentPerform(iterations: tasks) { t in
                body((count * t / tasks)..<(count * (t + 1) / tasks))
            }
        }
    }

    /// Calls `body(i)` for every `i` in `0..<count`, spread over the cores.
    public static func forEach(_ count: Int, costPerItem: Int = 1, _ body: (Int) -> Void) {
        forRanges(count, costPerItem: costPerItem) { range in for i in range { body(i) } }
    }
}
