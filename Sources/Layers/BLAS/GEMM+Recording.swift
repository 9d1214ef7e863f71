import SwiftSightCOpenBLAS
import Synchronization

extension GEMM {
    /// One matrix product as ``GEMM/multiply(m:n:k:a:lda:_:b:ldb:_:c:ldc:alpha:beta:)`` received
    /// it, and how long it took there.
    package struct Call: Sendable, Equatable {
        /// Sizes: C[m, n] = op(A)[m, k] · op(B)[k, n].
        package var m: Int, n: Int, k: Int
        /// Whether A and B were used as stored or transposed.
        package var opA: Operand, opB: Operand
        /// Leading dimensions of A, B and C.
        package var lda: Int, ldb: Int, ldc: Int
        /// Wall-clock seconds the product took.
        package var seconds: Double

        /// A call of these sizes and layout.
        package init(m: Int, n: Int, k: Int, opA: Operand, opB: Operand, lda: Int, ldb: Int, ldc: Int, seconds: Double) {
            (self.m, self.n, self.k, self.opA, self.opB) = (m, n, k, opA, opB)
            (self.lda, self.ldb, self.ldc, self.seconds) = (lda, ldb, ldc, seconds)
        }

        /// Floating-point operations: one multiply and one add per term.
        package var flops: Double { 2 * Double(m) * Double(n) * Double(k) }
    }

    /// Records every product `multiply` computes while a ``record(_:)`` is running, for the
    /// benchmark's GEMM-throughput figure. Off, it costs `multiply` one relaxed atomic load.
    package enum Recording {
        @usableFromInline static let state = Atomic<Bool>(false)

        /// Whether products are being recorded (one relaxed atomic load).
        @inlinable static var isOn: Bool { state.load(ordering: .relaxed) }
        private static let calls = Mutex<[Call]>([])

        /// Runs `body` with recording on and returns the products computed meanwhile, by
        /// any thread (so run nothing else at the same time).
        package static func record<R>(_ body: () async throws -> R) async rethrows -> (value: R, calls: [Call]) {
            calls.withLock { $0.removeAll() }
            state.store(true, ordering: .sequentiallyConsistent)
            defer { state.store(false, ordering: .sequentiallyConsistent) }
            let value = try await body()
            return (value, calls.withLock { $0 })
        }

        @usableFromInline static func append(_ call: Call) {
            calls.withLock { $0.append(call) }
        }
    }
}

extension ContinuousClock.Instant {
    /// Seconds from this instant to now.
    @usableFromInline var secondsElapsed: Double {
        let d = ContinuousClock.now - self
        return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }
}

extension GEMM.Call {
    /// Seconds `cblas_sgemm` takes on each of `calls`' shapes and layouts called directly, one
    /// after another on this thread, on operands allocated once and reused (so they may be in
    /// cache, which only makes the standalone figure harder to reach).
    package static func standaloneSeconds(of calls: [GEMM.Call]) -> [Double] {
        func size(_ rows: Int, _ cols: Int, _ ld: Int, _ op: GEMM.Operand) -> Int {
            (op == .plain ? rows : cols) * ld
        }
        let aCount = calls.map { size($0.m, $0.k, $0.lda, $0.opA) }.max() ?? 0
        let bCount = calls.map { size($0.k, $0.n, $0.ldb, $0.opB) }.max() ?? 0
        let cCount = calls.map { $0.m * $0.ldc }.max() ?? 0
        let a = UnsafeMutablePointer<Float>.allocate(capacity: max(1, aCount))
        let b = UnsafeMutablePointer<Float>.allocate(capacity: max(1, bCount))
        let c = UnsafeMutablePointer<Float>.allocate(capacity: max(1, cCount))
        defer { a.deallocate(); b.deallocate(); c.deallocate() }
        // Small, varied values: no denormals, no infinities.
        for i in 0..<aCount { a[i] = Float(i % 13) * 0.01 - 0.06 }
        for i in 0..<bCount { b[i] = Float(i % 7) * 0.01 - 0.03 }
        c.update(repeating: 0, count: cCount)
        return calls.map { call in
            let start = ContinuousClock.now
            cblas_sgemm(CblasRowMajor,
                        call.opA == .plain ? CblasNoTrans : CblasTrans,
                        call.opB == .plain ? CblasNoTrans : CblasTrans,
                        blasint(call.m), blasint(call.n), blasint(call.k), 1,
                        a, blasint(call.lda), b, blasint(call.ldb), 0, c, blasint(call.ldc))
            return start.secondsElapsed
        }
    }
}
