import SwiftSightCOpenBLAS

/// Matrix products: every one in SwiftSight goes through `cblas_sgemm` (`cblas_sgemv` for one row).
package enum GEMM {
    /// Whether an operand is used as stored or transposed.
    package enum Operand: Sendable { case plain, transposed }

    /// `C[m, n] = alpha * op(A)[m, k] * op(B)[k, n] + beta * C`, row-major with leading dimensions.
    ///
    /// Complexity: O(m·n·k), run by OpenBLAS on its own threads.
    @inlinable
    package static func multiply(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int, _ opA: Operand = .plain,
        b: UnsafePointer<Float>, ldb: Int, _ opB: Operand = .plain,
        c: UnsafeMutablePointer<Float>, ldc: Int,
        alpha: Float = 1, beta: Float = 0
    ) {
        guard m > 0, n > 0 else { return }
        // Timed only while `swiftsight bench` records (GEMM+Recording.swift); otherwise one atomic load.
        let recordingSince: ContinuousClock.Instant? = Recording.isOn ? .now : nil
        defer {
            if let recordingSince {
                Recording.append(Call(m: m, n: n, k: k, opA: opA, opB: opB, lda: lda, ldb: ldb, ldc: ldc,
                                      seconds: recordingSince.secondsElapsed))
            }
        }
        if m == 1 {
            // One row (a generation step): a matrix-vector product. OpenBLAS's sgemm would pack
            // all of B first, reading the weights three times instead of once.
            let incx = opA == .plain ? 1 : lda
            if opB == .plain {
                cblas_sgemv(CblasRowMajor, CblasTrans, blasint(k), blasint(n), alpha, b, blasint(ldb),
                            a, blasint(incx), beta, c, 1)
            } else {
                cblas_sgemv(CblasRowMajor, CblasNoTrans, blasint(n), blasint(k), alpha, b, blasint(ldb),
                            a, blasint(incx), beta, c, 1)
            }
            return
        }
        cblas_sgemm(CblasRowMajor,
                    opA == .plain ? CblasNoTrans : CblasTrans,
                    opB == .plain ? CblasNoTrans : CblasTrans,
                    blasint(m), blasint(n), blasint(k), alpha,
                    a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }
}
