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

    /// A tensor of `shape` filled with `value`.
    public init(repeating value: Float, shape: [Int]) {
        let n = Tensor.elementCount(shape)
        storage = TensorStorage(uninitializedCount: n)
        storage.base.initialize(repeating: value, count: n)
        self.shape = shape
        self.offset = 0
        self.count = n
    }

    /// A tensor of zeros.
    public static func zeros(_ shape: [Int]) -> Tensor { Tensor(repeating: 0, shape: shape) }

    /// A tensor holding `values` in row-major order. `values.count` must equal the shape's product.
    public init(shape: [Int], values: [Float]) {
        let n = Tensor.elementCount(shape)
        precondition(values.count == n, "Tensor(shape: \(shape)) needs \(n) values, got \(values.count)")
        let fresh = TensorStorage(uninitializedCount: n)
        values.withUnsafeBufferPointer { fresh.base.initialize(from: $0.baseAddress!, count: n) }
        storage = fresh
        self.shape = shape
        self.offset = 0
        self.count = n
    }

    /// A tensor of `shape` whose elements are written by `body` (all of them must be).
    public init(uninitializedShape shape: [Int], _ body: (UnsafeMutableBufferPointer<Float>) throws -> Void) rethrows {
        let n = Tensor.elementCount(shape)
        let fresh = TensorStorage(uninitializedCount: n)
        try body(UnsafeMutableBufferPointer(start: fresh.base, count: n))
        storage = fresh
        self.shape = shape
        self.offset = 0
        self.count = n
    }

    /// A tensor over existing storage, without copying.
    public init(shape: [Int], storage: TensorStorage, offset: Int = 0) {
        let n = Tensor.elementCount(shape)
        precondition(offset >= 0 && offset + n <= storage.count, "Tensor view out of its storage")
        self.shape = shape
        self.storage = storage
        self.offset = offset
        self.count = n
    }

    @inlinable static func elementCount(_ shape: [Int]) -> Int {
        shape.reduce(1) { precondition($1 >= 0, "negative extent in shape"); return $0 * $1 }
    }

    /// Whether `self` and `other` are the same view of the same memory (no copy happened
    /// between them). O(1).
    public func isSameView(as other: Tensor) -> Bool {
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
        let fresh = TensorStorage(uninitializedCount: count)
        fresh.base.initialize(from: storage.base + offset, count: count)
        storage = fresh
        offset = 0
    }

    /// The same elements under another shape with the same element count. O(1).
    /// Differentiable: the gradient is reshaped back.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        precondition(Tensor.elementCount(newShape) == count, "cannot reshape \(shape) to \(newShape)")
        let r = Tensor(shape: newShape, storage: storage, offset: offset)
        return link == nil ? r : recordReshape(r)
    }

    /// Rows `range` of the first axis, sharing storage. O(1).
    public func rows(_ range: Range<Int>) -> Tensor {
        precondition(rank >= 1 && range.lowerBound >= 0 && range.upperBound <= shape[0], "rows \(range) out of \(shape)")
        let stride = shape[0] == 0 ? 0 : count / shape[0]
        var s = shape
        s[0] = range.count
        let r = Tensor(shape: s, storage: storage, offset: offset + range.lowerBound * stride)
        return link == nil ? r : recordRows(r, range)
    }

    /// Index `i` of the first axis, sharing storage. O(1). Differentiable.
    public subscript(_ i: Int) -> Tensor {
        rows(i..<(i + 1)).reshaped(Array(shape.dropFirst()))
    }

    /// The element at a full index.
    public subscript(element index: [Int]) -> Float {
        precondition(index.count == rank, "index \(index) for shape \(shape)")
        var flat = 0
        for (i, (x, n)) in zip(index, shape).enumerated() {
            precondition(x >= 0 && x < n, "index \(x) out of range \(n) on axis \(i)")
            flat = flat * n + x
        }
        return storage.base[offset + flat]
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
    public init(concatenatingRows parts: [Tensor]) {
        let width = parts.first?.shape[1] ?? 0
        let rows = parts.reduce(0) { $0 + $1.shape[0] }
        self.init(uninitializedShape: [rows, width]) { out in
            var offset = 0
            for part in parts {
                precondition(part.rank == 2 && part.shape[1] == width, "cannot concatenate \(part.shape) rows of width \(width)")
                part.withUnsafeBuffer { (out.baseAddress! + offset).update(from: $0.baseAddress!, count: $0.count) }
                offset += part.count
            }
        }
        if parts.contains(where: { $0.link != nil }) { self = Tensor.recordConcatenation(self, parts) }
    }
}
