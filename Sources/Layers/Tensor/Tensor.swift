/// A dense, row-major Float32 tensor with value semantics.
///
/// A tensor is a shape plus a window (`offset`, element count) into shared ``TensorStorage``.
/// Views along the first axis (``rows(_:)``, ``subscript(_:)``) share storage and cost O(1);
/// writing to a shared or read-only storage copies the window first (copy-on-write).
public struct Tensor: Sendable {
    /// The extent of each axis, outermost first.
    public private(set) var shape: [Int]
    @usableFromInline var storage: TensorStorage
    @usableFromInline var offset: Int
    /// Number of elements (product of `shape`).
    public let count: Int
    /// The autodiff node this value is on, if it is tracked (see ``GradientTape``). Nil for
    /// every tensor not derived from a watched one: untracked math pays only this nil check.
    @usableFromInline var link: GradientLink? = nil

    // Every initializer has a public form that validates its arguments and throws
    // ``TensorError``, and a `package` form (`uncheckedShape:`) that the model code uses with
    // shapes valid by construction; the public form checks, then calls the package one.

    /// A tensor of `shape` filled with `value`.
    /// - Throws: ``TensorError`` for a negative extent, an element count that overflows, or
    ///   memory that cannot be allocated.
    public init(repeating value: Float, shape: [Int]) throws(TensorError) {
        try self.init(repeating: value, shape: shape, operation: "Tensor(repeating:shape:)")
    }

    private init(repeating value: Float, shape: [Int], operation: String) throws(TensorError) {
        self.init(shape: shape, fresh: try Tensor.checkedStorage(shape, operation)) { $0.initialize(repeating: value) }
    }

    /// A tensor of `shape` (valid by construction) filled with `value`.
    package init(uncheckedShape shape: [Int], repeating value: Float) {
        self.init(shape: shape, fresh: TensorStorage(uncheckedCount: shape.reduce(1, *))) { $0.initialize(repeating: value) }
    }

    /// A tensor of zeros.
    /// - Throws: ``TensorError`` as ``init(repeating:shape:)``.
    public static func zeros(_ shape: [Int]) throws(TensorError) -> Tensor {
        try Tensor(repeating: 0, shape: shape, operation: "zeros")
    }

    /// A tensor of zeros of `shape` (valid by construction).
    package static func zeros(unchecked shape: [Int]) -> Tensor { Tensor(uncheckedShape: shape, repeating: 0) }

    /// A tensor holding `values` in row-major order, one per element of `shape`.
    /// - Throws: ``TensorError/valueCount(operation:shape:expected:got:)`` if `values.count` is not
    ///   the shape's element count; ``TensorError`` for a negative extent or an overflowing count.
    public init(shape: [Int], values: [Float]) throws(TensorError) {
        let operation = "Tensor(shape:values:)"
        let n = try Tensor.checkedCount(shape, operation)
        guard values.count == n else { throw .valueCount(operation: operation, shape: shape, expected: n, got: values.count) }
        self.init(uncheckedShape: shape, values: values)
    }

    /// A tensor holding `values` (one per element of `shape`, by construction).
    package init(uncheckedShape shape: [Int], values: [Float]) {
        let n = shape.reduce(1, *)
        precondition(values.count == n, "Tensor(shape: \(shape)) needs \(n) values, got \(values.count)")
        self.init(shape: shape, fresh: TensorStorage(uncheckedCount: n)) { out in
            values.withUnsafeBufferPointer { if n > 0 { out.baseAddress!.initialize(from: $0.baseAddress!, count: n) } }
        }
    }

    /// A tensor of `shape` whose elements are written by `body` (all of them must be).
    /// - Throws: ``TensorError`` for a negative extent, an overflowing element count or a failed
    ///   allocation; whatever `body` throws.
    public init(uninitializedShape shape: [Int], _ body: (UnsafeMutableBufferPointer<Float>) throws -> Void) throws {
        try self.init(shape: shape, fresh: Tensor.checkedStorage(shape, "Tensor(uninitializedShape:)"), body)
    }

    /// A tensor of `shape` (valid by construction) whose elements are written by `body`.
    package init(uncheckedShape shape: [Int], _ body: (UnsafeMutableBufferPointer<Float>) throws -> Void) rethrows {
        try self.init(shape: shape, fresh: TensorStorage(uncheckedCount: shape.reduce(1, *)), body)
    }

    /// `fresh` storage (of `shape`'s element count) filled by `body`: what every initializer
    /// that allocates ends with.
    private init(shape: [Int], fresh: TensorStorage, _ body: (UnsafeMutableBufferPointer<Float>) throws -> Void) rethrows {
        try body(UnsafeMutableBufferPointer(start: fresh.base, count: fresh.count))
        self.init(validShape: shape, storage: fresh, offset: 0, count: fresh.count)
    }

    /// A tensor over existing storage, without copying.
    /// - Throws: ``TensorError/viewOutOfStorage(shape:offset:storageCount:)`` if the view does not
    ///   fit in `storage`; ``TensorError`` for a negative extent or an overflowing count.
    package init(shape: [Int], storage: TensorStorage, offset: Int = 0) throws(TensorError) {
        let n = try Tensor.checkedCount(shape, "Tensor(shape:storage:offset:)")
        guard offset >= 0, n <= storage.count - offset else {
            throw .viewOutOfStorage(shape: shape, offset: offset, storageCount: storage.count)
        }
        self.init(validShape: shape, storage: storage, offset: offset, count: n)
    }

    /// A view over `storage` whose shape and offset fit by construction (a validated checkpoint header).
    package init(uncheckedShape shape: [Int], storage: TensorStorage, offset: Int = 0) {
        let n = shape.reduce(1, *)
        precondition(offset >= 0 && offset + n <= storage.count, "Tensor view out of its storage")
        self.init(validShape: shape, storage: storage, offset: offset, count: n)
    }

    /// A view of `count` elements (the product of `shape`) at `offset` of `storage`, all valid:
    /// the one place that sets the stored properties.
    @usableFromInline
    init(validShape shape: [Int], storage: TensorStorage, offset: Int, count: Int) {
        self.shape = shape
        self.storage = storage
        self.offset = offset
        self.count = count
    }

    /// The element count of `shape`, computed with checked arithmetic.
    /// - Throws: ``TensorError/negativeExtent(operation:shape:)`` or
    ///   ``TensorError/tooManyElements(operation:shape:)`` naming `operation`.
    static func checkedCount(_ shape: [Int], _ operation: String) throws(TensorError) -> Int {
        var (n, overflowed) = (1, false)
        for extent in shape {
            guard extent >= 0 else { throw .negativeExtent(operation: operation, shape: shape) }
            let (product, overflow) = n.multipliedReportingOverflow(by: extent)
            (n, overflowed) = (product, overflowed || overflow)
        }
        // A zero extent makes the count 0 even after an intermediate overflow.
        guard !overflowed || n == 0 && shape.contains(0) else { throw .tooManyElements(operation: operation, shape: shape) }
        return shape.contains(0) ? 0 : n
    }

    /// Fresh storage for a user-given `shape`: its count checked, its allocation allowed to fail.
    static func checkedStorage(_ shape: [Int], _ operation: String) throws(TensorError) -> TensorStorage {
        let n = try checkedCount(shape, operation)
        return try TensorStorage(checkedCount: n, operation: operation, shape: shape)
    }

    /// Whether `self` and `other` are the same view of the same memory (no copy happened
    /// between them). O(1).
    package func isSameView(as other: Tensor) -> Bool {
        storage === other.storage && offset == other.offset && count == other.count
    }

    /// Number of axes.
    public var rank: Int { shape.count }

    /// The elements in row-major order, copied into an array.
    public var scalars: [Float] { withUnsafeBuffer { Array($0) } }

    /// Calls `body` with the elements, read-only. O(1).
    @inlinable
    public func withUnsafeBuffer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: storage.base + offset, count: count))
    }

    /// Calls `body` with writable elements, copying first if the storage is shared or read-only.
    ///
    /// A tracked tensor keeps its autodiff node: for gradients the edit counts as the identity
    /// (values saved for a backward pass are unaffected, they are copied on write).
    @inlinable
    public mutating func withUnsafeMutableBuffer<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        if !isKnownUniquelyReferenced(&storage) || !storage.isWritable || storage.count != count {
            makeUniqueCopy()
        }
        return try body(UnsafeMutableBufferPointer(start: storage.base + offset, count: count))
    }

    @usableFromInline mutating func makeUniqueCopy() {
        let fresh = TensorStorage(uncheckedCount: count)
        fresh.base.initialize(from: storage.base + offset, count: count)
        storage = fresh
        offset = 0
    }

    /// The same elements under another shape with the same element count. O(1).
    /// Differentiable: the gradient is reshaped back.
    /// - Throws: ``TensorError/reshapeCount(from:to:)`` if `newShape` has another element count;
    ///   ``TensorError/negativeExtent(operation:shape:)``.
    public func reshaped(_ newShape: [Int]) throws(TensorError) -> Tensor {
        guard try Tensor.checkedCount(newShape, "reshaped") == count else { throw .reshapeCount(from: shape, to: newShape) }
        return reshaped(unchecked: newShape)
    }

    /// ``reshaped(_:)`` to a shape with the same element count by construction.
    package func reshaped(unchecked newShape: [Int]) -> Tensor {
        let r = Tensor(validShape: newShape, storage: storage, offset: offset, count: count)
        return link == nil ? r : recordReshape(r)
    }

    /// Rows `range` of the first axis, sharing storage. O(1). Differentiable.
    /// - Throws: ``TensorError`` for a rank-0 tensor or a range outside the first axis.
    public func rows(_ range: Range<Int>) throws(TensorError) -> Tensor {
        guard rank >= 1 else { throw .rank(operation: "rows", expected: "rank 1 or more", shape: shape) }
        guard range.lowerBound >= 0 && range.upperBound <= shape[0] else {
            throw .rangeOutOfRange(operation: "rows", range: range, axis: 0, shape: shape)
        }
        return rows(unchecked: range)
    }

    /// ``rows(_:)`` of a range inside the first axis by construction.
    package func rows(unchecked range: Range<Int>) -> Tensor {
        let stride = shape[0] == 0 ? 0 : count / shape[0]
        var s = shape
        s[0] = range.count
        let r = Tensor(validShape: s, storage: storage, offset: offset + range.lowerBound * stride, count: range.count * stride)
        return link == nil ? r : recordRows(r, range)
    }

    /// Index `i` of the first axis, sharing storage; negative values count from the end
    /// (`x[-1]` is the last). O(1). Differentiable.
    /// - Throws: ``TensorError/indexOutOfRange(operation:index:axis:extent:shape:)``; ``TensorError`` for a rank-0 tensor.
    public subscript(_ i: Int) -> Tensor {
        get throws(TensorError) {
            guard rank >= 1 else { throw .rank(operation: "subscript", expected: "rank 1 or more", shape: shape) }
            let j = i < 0 ? i + shape[0] : i
            guard j >= 0 && j < shape[0] else { throw .indexOutOfRange(operation: "subscript", index: i, axis: 0, extent: shape[0], shape: shape) }
            return rows(unchecked: j..<(j + 1)).reshaped(unchecked: Array(shape.dropFirst()))
        }
    }

    /// The element at a full index (one per axis; negative values count from the end).
    /// - Throws: ``TensorError`` for an index of the wrong length or out of range on an axis.
    public subscript(element index: [Int]) -> Float {
        get throws(TensorError) {
            guard index.count == rank else {
                throw .indexCount(operation: "subscript(element:)", expected: rank, got: index.count, shape: shape)
            }
            var flat = 0
            for (axis, (x, n)) in zip(index, shape).enumerated() {
                let i = x < 0 ? x + n : x
                guard i >= 0 && i < n else {
                    throw .indexOutOfRange(operation: "subscript(element:)", index: x, axis: axis, extent: n, shape: shape)
                }
                flat = flat * n + i
            }
            return storage.base[offset + flat]
        }
    }
}

extension Tensor: CustomStringConvertible {
    /// The shape and the first few elements.
    public var description: String {
        let head = withUnsafeBuffer { $0.prefix(6).map { String($0) }.joined(separator: ", ") }
        return "Tensor(shape: \(shape), [\(head)\(count > 6 ? ", ..." : "")])"
    }
}

extension Tensor {
    /// The rows of `parts` (rank 2, same width) one after another. O(total elements).
    /// Differentiable: each tracked part receives its rows of the gradient.
    /// - Throws: ``TensorError`` for a part that is not rank 2 or has another width, or parts
    ///   tracked on different gradient tapes.
    public init(concatenatingRows parts: [Tensor]) throws(TensorError) {
        let operation = "Tensor(concatenatingRows:)"
        let width = parts.first.map { $0.rank == 2 ? $0.shape[1] : 0 } ?? 0
        for part in parts {
            guard part.rank == 2 else { throw .rank(operation: operation, expected: "rank-2 parts", shape: part.shape) }
            guard part.shape[1] == width else {
                throw .shapeMismatch(operation: operation, shapes: [parts[0].shape, part.shape], requirement: "every part needs the same width")
            }
        }
        try Tensor.checkSameTape(parts, operation)
        self.init(uncheckedConcatenatingRows: parts)
    }

    /// ``init(concatenatingRows:)`` of rank-2 parts of one width, on one tape, by construction.
    package init(uncheckedConcatenatingRows parts: [Tensor]) {
        let width = parts.first?.shape[1] ?? 0
        let rows = parts.reduce(0) { $0 + $1.shape[0] }
        self.init(uncheckedShape: [rows, width]) { out in
            var offset = 0
            for part in parts {
                part.withUnsafeBuffer { if $0.count > 0 { (out.baseAddress! + offset).update(from: $0.baseAddress!, count: $0.count) } }
                offset += part.count
            }
        }
        if parts.contains(where: { $0.link != nil }) { self = Tensor.recordConcatenation(self, parts) }
    }
}
