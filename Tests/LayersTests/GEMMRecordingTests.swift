import Testing
@testable import SwiftSightLayers

/// The benchmark's GEMM recording: it sees each product with its sizes and layout while on,
/// and the standalone replay times the same list. (Other suites may multiply at the same time,
/// so the checks look for this suite's products among what was recorded.)
@Suite struct GEMMRecordingTests {
    @Test func recordsEachProductWithItsLayoutOnlyWhileOn() async throws {
        let a = try Tensor(shape: [37, 5], values: (0..<185).map { Float($0 % 9) * 0.1 })
        let b = try Tensor(shape: [3, 5], values: (0..<15).map { Float($0 % 4) * 0.2 })
        #expect(!GEMM.Recording.isOn)
        let (product, calls) = try await GEMM.Recording.record { () async throws -> Tensor in
            #expect(GEMM.Recording.isOn)
            return try a.matmul(b.transposed())
        }
        #expect(!GEMM.Recording.isOn)
        #expect(product.shape == [37, 3])
        let mine = calls.filter { $0.m == 37 && $0.n == 3 && $0.k == 5 }
        #expect(mine.count == 1)
        #expect(mine.first?.flops == Double(2 * 37 * 3 * 5))
        #expect((mine.first?.seconds ?? -1) >= 0)
        #expect(mine.first.map { ($0.opA, $0.lda, $0.ldc) == (.plain, 5, 3) } == true)

        let seconds = GEMM.Call.standaloneSeconds(of: mine + mine)
        #expect(seconds.count == 2 && seconds.allSatisfy { $0 > 0 })
        #expect(GEMM.Call.standaloneSeconds(of: []).isEmpty)
    }
}
