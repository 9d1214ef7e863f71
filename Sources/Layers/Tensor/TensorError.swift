/// A tensor operation was given arguments it cannot work with; the message names the operation
/// and the shapes, axes or indices at fault.
///
/// Every public ``Tensor`` operation that can fail on its arguments throws this instead of
/// stopping the process: intervention code is user code, and a shape mistake in it must reach
/// the caller of `trace` as an error it can catch (see Docs/Tracing.md, "Errors in intervention
/// code"). Operations that cannot fail (unary math, scalar arithmetic, `exp`, `log`) do not throw.
public enum TensorError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Two shapes that do not broadcast (NumPy rules: aligned from the end, each pair of extents
    /// equal or one of them 1).
    case shapesDoNotBroadcast(operation: String, [Int], [Int])
    /// Shapes the operation cannot combine (not a broadcasting question): `requirement` says what
    /// it needs, e.g. "the same shape" or "inner sizes that agree".
    case shapeMismatch(operation: String, shapes: [[Int]], requirement: String)
    /// A shape with a negative extent.
    case negativeExtent(operation: String, shape: [Int])
    /// A shape whose element count (or its size in bytes) does not fit in an `Int`.
    case tooManyElements(operation: String, shape: [Int])
    /// The memory for a tensor of `shape` could not be allocated.
    case allocationFailed(operation: String, shape: [Int], bytes: Int)
    /// `values` does not hold one value per element of `shape`.
    case valueCount(operation: String, shape: [Int], expected: Int, got: Int)
    /// A reshape to a shape with another element count.
    case reshapeCount(from: [Int], to: [Int])
    /// A view of `shape` at `offset` that does not fit in a storage of `storageCount` elements.
    case viewOutOfStorage(shape: [Int], offset: Int, storageCount: Int)
    /// The operation needs a tensor of another rank; `expected` says which (e.g. "rank 2").
    case rank(operation: String, expected: String, shape: [Int])
    /// An axis outside the shape (after counting a negative one from the end).
    case axisOutOfRange(operation: String, axis: Int, shape: [Int])
    /// The same axis named twice.
    case repeatedAxis(operation: String, axes: [Int], shape: [Int])
    /// An index outside its axis (`axis` nil: an index into a flat list, such as a class id).
    case indexOutOfRange(operation: String, index: Int, axis: Int?, extent: Int, shape: [Int])
    /// A range of indices outside its axis.
    case rangeOutOfRange(operation: String, range: Range<Int>, axis: Int, shape: [Int])
    /// A list of indices (or targets) of the wrong length.
    case indexCount(operation: String, expected: Int, got: Int, shape: [Int])
    /// A run of elements that reads or writes outside its tensors.
    case runOutOfRange(operation: String, run: Tensor.Run, sourceCount: Int, destinationCount: Int)
    /// The operands are tracked on two different ``GradientTape``s (values from two traces that
    /// record gradients).
    case differentTapes(operation: String)

    /// What went wrong, naming the operation first.
    public var description: String {
        switch self {
        case let .shapesDoNotBroadcast(op, a, b):
            "`\(op)`: shapes \(a) and \(b) do not broadcast (aligned from the last axis, each pair of extents must be equal or 1)"
        case let .shapeMismatch(op, shapes, requirement):
            "`\(op)`: shapes \(shapes.map { "\($0)" }.joined(separator: " and ")) do not fit: \(requirement)"
        case let .negativeExtent(op, shape):
            "`\(op)`: shape \(shape) has a negative extent"
        case let .tooManyElements(op, shape):
            "`\(op)`: shape \(shape) has more elements than memory can address"
        case let .allocationFailed(op, shape, bytes):
            "`\(op)`: cannot allocate \(bytes) bytes for shape \(shape)"
        case let .valueCount(op, shape, expected, got):
            "`\(op)`: shape \(shape) needs \(expected) values, got \(got)"
        case let .reshapeCount(from, to):
            "`reshaped`: cannot reshape \(from) (\(from.reduce(1, &*)) elements) to \(to) (\(to.reduce(1, &*)) elements)"
        case let .viewOutOfStorage(shape, offset, storageCount):
            "`Tensor(shape:storage:offset:)`: a view of shape \(shape) at offset \(offset) does not fit in a storage of \(storageCount) elements"
        case let .rank(op, expected, shape):
            "`\(op)` needs \(expected), got shape \(shape)"
        case let .axisOutOfRange(op, axis, shape):
            "`\(op)`: axis \(axis) is out of range for shape \(shape) (rank \(shape.count))"
        case let .repeatedAxis(op, axes, shape):
            "`\(op)`: axes \(axes) name the same axis of shape \(shape) twice"
        case let .indexOutOfRange(op, index, axis, extent, shape):
            "`\(op)`: index \(index) is out of range 0..<\(extent)" + (axis.map { " on axis \($0) of shape \(shape)" } ?? " for shape \(shape)")
        case let .rangeOutOfRange(op, range, axis, shape):
            "`\(op)`: range \(range) is out of range 0..<\(axis < shape.count ? shape[axis] : 0) on axis \(axis) of shape \(shape)"
        case let .indexCount(op, expected, got, shape):
            "`\(op)`: shape \(shape) needs \(expected) indices, got \(got)"
        case let .runOutOfRange(op, run, source, destination):
            "`\(op)`: run of \(run.count) elements from \(run.source) to \(run.destination) is outside the \(source) source "
                + "and \(destination) destination elements"
        case let .differentTapes(op):
            "`\(op)`: the operands are tracked on two different GradientTapes (values from two traces with gradients); "
                + "detach one of them with detached()"
        }
    }
}
