/// Matrix products of tensors through `cblas_sgemm`, differentiable.
extension Tensor {
    /// A matrix operand of a (batched) product: `batch` matrices `stride` elements apart, each
    /// [rows, columns] as stored, used as stored or transposed.
    struct MatrixOperand {
        var tensor: Tensor
        var rows: Int
        var columns: Int
        var transposed = false
        var stride: Int
    }

    /// op(a)·op(b) for each of `batch` pairs, as `batch` consecutive [m, n] matrices. O(batch·m·n·k).
    static func product(_ a: MatrixOperand, _ b: MatrixOperand, batch: Int, shape: [Int]) -> Tensor {
        let (m, k) = a.transposed ? (a.columns, a.rows) : (a.rows, a.columns)
        let n = b.transposed ? b.rows : b.columns
        // Internal: matmul checked the user's shapes; the layers' pullbacks pass their own.
        precondition(k == (b.transposed ? b.columns : b.rows), "matrix product of [\(m), \(k)] and [\(b.rows), \(b.columns)] (transposed: \(b.transposed))")
        // An empty inner axis sums nothing: zeros (BLAS would refuse a leading dimension of 0).
        if k == 0 { return Tensor.zeros(unchecked: shape) }
        return Tensor(uncheckedShape: shape) { out in
            a.tensor.withUnsafeBuffer { ap in
                b.tensor.withUnsafeBuffer { bp in
                    for i in 0..<batch {
                        GEMM.multiply(m: m, n: n, k: k,
                                      a: ap.baseAddress! + i * a.stride, lda: a.columns, a.transposed ? .transposed : .plain,
                                      b: bp.baseAddress! + i * b.stride, ldb: b.columns, b.transposed ? .transposed : .plain,
                                      c: out.baseAddress! + i * m * n, ldc: n)
                    }
                }
            }
        }
    }

    /// The matrix product over the last two axes: [m, k]·[k, n] → [m, n];
    /// [batch, m, k]·[k, n] → [batch, m, n] (one product over all rows); and
    /// [batch, m, k]·[batch, k, n] → [batch, m, n]. Differentiable: dA = G·Bᵀ, dB = Aᵀ·G.
    /// - Complexity: O(batch·m·n·k) in `cblas_sgemm`.
    /// - Throws: ``TensorError/shapeMismatch(operation:shapes:requirement:)`` for other ranks,
    ///   batch sizes that differ or inner sizes that differ; ``TensorError/differentTapes(operation:)``.
    public func matmul(_ other: Tensor) throws(TensorError) -> Tensor {
        let a = detached(), b = other.detached()
        guard (rank == 2 || rank == 3) && (other.rank == 2 || (other.rank == 3 && rank == 3 && other.shape[0] == shape[0])) else {
            throw .shapeMismatch(operation: "matmul", shapes: [shape, other.shape],
                                 requirement: "matmul supports [m, k]·[k, n], [b, m, k]·[k, n] and [b, m, k]·[b, k, n]")
        }
        let k = shape[rank - 1]
        guard other.shape[other.rank - 2] == k else {
            throw .shapeMismatch(operation: "matmul", shapes: [shape, other.shape],
                                 requirement: "the last axis of the first (\(k)) must equal the second-to-last of the second (\(other.shape[other.rank - 2]))")
        }
        if isTracked && other.isTracked { try Tensor.checkSameTape([self, other], "matmul") }
        let n = other.shape[other.rank - 1]
        let outShape = Array(shape.dropLast()) + [n]
        // Against a shared [k, n] matrix, all rows of every batch form one product.
        let batch = other.rank == 3 ? shape[0] : 1
        let m = other.rank == 3 ? shape[1] : shape.dropLast().reduce(1, *)
        let result = Tensor.product(MatrixOperand(tensor: a, rows: m, columns: k, stride: m * k),
                                    MatrixOperand(tensor: b, rows: k, columns: n, stride: k * n),
                                    batch: batch, shape: outShape)
        guard isTracked || other.isTracked else { return result }
        let (needA, needB) = (isTracked, other.isTracked)
        let (aShape, bShape) = (shape, other.shape)
        return Tensor.recorded(result, from: [self, other]) { g in
            let go = MatrixOperand(tensor: g, rows: m, columns: n, stride: m * n)
            let da = needA ? Tensor.product(go, MatrixOperand(tensor: b, rows: k, columns: n, transposed: true, stride: k * n),
                                            batch: batch, shape: aShape) : nil
            let db = needB ? Tensor.product(MatrixOperand(tensor: a, rows: m, columns: k, transposed: true, stride: m * k), go,
                                            batch: batch, shape: bShape) : nil
            return [da, db]
        }
    }
}
