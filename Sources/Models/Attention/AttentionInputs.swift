import SwiftSightLayers

/// One layer's packed queries, keys and values, each a column window of a row-major
/// [rows, stride] tensor: the three windows of GPT-2's fused projection, or three separate
/// tensors (Llama's q/k/v projections after the rotary embedding).
package struct AttentionInputs: Sendable {
    /// Columns `column..<column + width` of `tensor` ([rows, stride]).
    package struct Part: Sendable {
        /// The tensor holding the part.
        package let tensor: Tensor
        /// First column of the part.
        package let column: Int
        /// Columns of the part.
        package let width: Int

        /// Columns `column..<column + width` of `tensor`.
        package init(_ tensor: Tensor, column: Int = 0, width: Int? = nil) {
            precondition(tensor.rank == 2, "attention input must be [rows, width], got \(tensor.shape)")
            (self.tensor, self.column, self.width) = (tensor, column, width ?? tensor.shape[1] - column)
            precondition(column >= 0 && self.width > 0 && column + self.width <= tensor.shape[1], "columns out of \(tensor.shape)")
        }

        /// Distance between consecutive rows, in floats.
        var stride: Int { tensor.shape[1] }

        /// The part as its own [rows, width] tensor: a copy unless it spans all columns.
        /// Differentiable.
        var own: Tensor { column == 0 && width == stride ? tensor : tensor.slice(uncheckedAxis: 1, range: column..<(column + width)) }
    }

    /// Queries, [rows, heads · headDim].
    package let queries: Part
    /// Keys, [rows, kvHeads · headDim].
    package let keys: Part
    /// Values, [rows, kvHeads · headDim].
    package let values: Part
    /// Query heads.
    package let heads: Int
    /// Key/value heads.
    package let kvHeads: Int

    /// Inputs with `heads` query heads sharing `kvHeads` key/value heads.
    package init(queries: Part, keys: Part, values: Part, heads: Int, kvHeads: Int) {
        precondition(heads > 0 && kvHeads > 0 && heads % kvHeads == 0 && queries.width % heads == 0
                     && keys.width == queries.width / heads * kvHeads && values.width == keys.width,
                     "attention with \(heads)/\(kvHeads) heads of queries \(queries.width), keys \(keys.width), values \(values.width) wide")
        (self.queries, self.keys, self.values, self.heads, self.kvHeads) = (queries, keys, values, heads, kvHeads)
    }

    /// Features per head.
    package var headDim: Int { queries.width / heads }
    /// Whether any part is recorded on a gradient tape.
    var isTracked: Bool { queries.tensor.isTracked || keys.tensor.isTracked || values.tensor.isTracked }
}
