/// What the header says about one tensor: its element type and shape.
package struct TensorInfo: Sendable, Equatable, CustomStringConvertible {
    /// The element type stored in the file.
    package let dtype: DType
    /// The extent of each axis, outermost first (empty for a scalar).
    package let shape: [Int]
    /// Number of elements. The header parser has checked that this product does not overflow.
    package let elementCount: Int

    /// Describes a tensor; `elementCount` must be the product of `shape`.
    init(dtype: DType, shape: [Int], elementCount: Int) {
        self.dtype = dtype
        self.shape = shape
        self.elementCount = elementCount
    }

    /// Number of bytes the tensor occupies in the file.
    package var byteCount: Int { elementCount * dtype.byteSize }

    /// The dtype and shape, such as `F16 [768, 2304]`.
    package var description: String { "\(dtype) \(shape)" }
}
