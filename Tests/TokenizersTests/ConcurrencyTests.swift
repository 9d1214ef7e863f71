import Foundation
import Testing

@testable import SwiftSightTokenizers

/// One tokenizer shared by many tasks gives the same ids as Hugging Face, cache and all.
@Suite("Concurrency")
struct ConcurrencyTests {
    @Test("Concurrent encoding from many tasks")
    func concurrentEncoding() async throws {
        let tokenizer: any Tokenizer = try #require(Fixtures.fromTokenizerJSON)
        let cases = Fixtures.cases
        let mismatches = await withTaskGroup(of: Int.self) { group in
            for task in 0..<16 {
                group.addTask {
                    var mismatches = 0
                    for round in 0..<25 {
                        for index in cases.indices {
                            let reference = cases[(index * 7 + task + round) % cases.count]
                            if tokenizer.encode(reference.text) != reference.ids { mismatches += 1 }
                        }
                    }
                    return mismatches
                }
            }
            var total = 0
            for await count in group { total += count }
            return total
        }
        #expect(mismatches == 0)
    }
}
