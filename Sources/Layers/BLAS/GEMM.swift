import COpenBLAS

/// Matrix products: every one in SwiftSight goes through `cblas_sgemm`.
public enum GEMM {
    /// Whether an operand is used as stored or transposed.
    public enum Operand: Sendable { case plain, transposed }

    /// `C[m, n] = alpha * op(A)[m, k] * op(B)[k, n] + beta * C`, row-major with leading dimensions.
    ///
    /// Complexity: O(m·n·k), run by OpenBLAS on its own threads.
    @inlinable
    public static func multiply(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int, _ opA: Operand = .plain,
        b: UnsafePointer<Float>, ldb: Int, _ opB: Operand = .plain,
        c: UnsafeMutablePointer<Float>, ldc: Int,
        alpha: Float = 1, beta: Float = 0
    ) {
        guard m > 0, n > 0 else { return }
        cblas_sgemm(CblasRowMajor,
                    opA == .plain ? CblasNoTrans : CblasTrans,
                    opB == .plain ? CblasNoTrans : CblasTrans,
                    blasint(m), blasint(n), blasint(k), alpha,
                    a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }
}
