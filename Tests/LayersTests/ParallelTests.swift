import Foundation
import Synchronization
import Testing
@testable import SwiftSightLayers

/// `Parallel` runs its loops on the worker pool of `CKernels/pool.c`: every index exactly once,
/// whoever calls and however the calls overlap.
@Suite struct ParallelTests {
    /// Counts how often each index was visited.
    final class Visits: Sendable {
        let counts: Mutex<[Int]>
        init(_ count: Int) { counts = Mutex([Int](repeating: 0, count: count)) }
        func visit(_ range: Range<Int>) { counts.withLock { for i in range { $0[i] += 1 } } }
        var all: [Int] { counts.withLock { $0 } }
    }

    @Test(arguments: [1, 2, 7, 16, 100, 10_000])
    func everyIndexOnce(count: Int) {
        let visits = Visits(count)
        Parallel.forRanges(count, costPerItem: 1 << 20, tasksPerWorker: 8) { visits.visit($0) }
        #expect(visits.all == [Int](repeating: 1, count: count))
    }

    @Test func smallLoopsRunOnTheCaller() {
        let visits = Visits(10)
        Parallel.forRanges(10, costPerItem: 1) { range in
            #expect(range == 0..<10)
            visits.visit(range)
        }
        #expect(visits.all == [Int](repeating: 1, count: 10))
    }

    /// A loop started from inside a task, while the pool is busy, runs on its caller.
    @Test func nestedLoops() {
        let outer = 8, inner = 50
        let visits = Visits(outer * inner)
        Parallel.forEach(outer, costPerItem: 1 << 20) { i in
            Parallel.forRanges(inner, costPerItem: 1 << 20) { r in
                visits.visit((i * inner + r.lowerBound)..<(i * inner + r.upperBound))
            }
        }
        #expect(visits.all == [Int](repeating: 1, count: outer * inner))
    }

    /// Loops from several threads at once, back to back (the pool serves one, the others run on
    /// their callers), thousands of times: no index lost or run twice, no hang.
    @Test func concurrentCallers() async {
        let callers = 4, loops = 2_000, count = 64
        let visits = Visits(callers * count)
        await withTaskGroup(of: Void.self) { group in
            for c in 0..<callers {
                group.addTask {
                    for _ in 0..<loops {
                        Parallel.forRanges(count, costPerItem: 1 << 20, tasksPerWorker: 8) { r in
                            visits.visit((c * count + r.lowerBound)..<(c * count + r.upperBound))
                        }
                    }
                }
            }
        }
        #expect(visits.all == [Int](repeating: loops, count: callers * count))
    }

    /// After the workers have gone to sleep (0.2 ms without work), a loop wakes them.
    @Test func loopsAfterIdling() throws {
        for _ in 0..<5 {
            Thread.sleep(forTimeInterval: 0.002)
            let visits = Visits(256)
            Parallel.forRanges(256, costPerItem: 1 << 20, tasksPerWorker: 8) { visits.visit($0) }
            #expect(visits.all == [Int](repeating: 1, count: 256))
        }
    }
}
