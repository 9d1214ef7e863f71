/// A lookup table: row `id` of a [count, width] matrix per token.
package struct Embedding: Sendable {
    /// The table, [count, width].
    package let table: Tensor

    /// An embedding over `table` ([count, width]).
    package init(table: Tensor) {
        // A model-code invariant, not a user error: the loader validates checkpoint shapes and the
        // model passes its own activations. Intervention code uses the throwing tensor operations.
        precondition(table.rank == 2, "embedding table must be rank 2, got \(table.shape)")
        self.table = table
    }

    /// Rows for `ids`, shaped `shape + [width]`. Ids must be in range (checked by the caller
    /// against the model's vocabulary before a forward pass). O(ids · width).
    ///
    /// Differentiable with respect to the table, when the table is tracked.
    package func callAsFunction(_ ids: [Int], shape: [Int]) -> Tensor {
        if table.link != nil { return recordedCall(ids, shape: shape) }
        let width = table.shape[1]
        return Tensor(uncheckedShape: shape + [width]) { out in
            table.withUnsafeBuffer { t in
                for (r, id) in ids.enumerated() {
                    precondition(id >= 0 && id < table.shape[0], "embedding id \(id) out of \(table.shape[0])")
                    (out.baseAddress! + r * width).update(from: t.baseAddress! + id * width, count: width)
                }
            }
        }
    }
}
