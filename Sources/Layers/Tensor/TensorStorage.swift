#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An owner of borrowed storage that can give the pages of a range back to the OS (a read-only
/// file mapping: the pages come back, unchanged, on the next read).
package protocol ResidentPagesReleasing: AnyObject {
    /// Drops the whole pages inside `range` from the resident set; their contents stay readable.
    func releaseResidentPages(_ range: UnsafeRawBufferPointer)
}

/// The memory behind one or more ``Tensor`` values.
///
/// Storage is either owned (allocated and freed here) or borrowed from an owner that keeps
/// it alive, such as a memory-mapped checkpoint file. Borrowed storage is read-only: a tensor
/// that wants to write to it copies first (copy-on-write), so a mapped file is never written.
@usableFromInline package final class TensorStorage: @unchecked Sendable {
    // @unchecked: the pointer is only written through `Tensor`'s copy-on-write paths, which
    // hold the only reference (checked with isKnownUniquelyReferenced) or own a fresh copy.
    @usableFromInline let base: UnsafeMutablePointer<Float>
    /// Number of `Float` elements.
    @usableFromInline package let count: Int
    /// Whether the memory may be written in place.
    @usableFromInline package let isWritable: Bool
    private let owner: AnyObject?

    /// Allocates `count` uninitialised floats.
    /// - Throws: ``TensorError`` for a negative count, one whose size in bytes overflows, or
    ///   memory that cannot be allocated.
    package convenience init(uninitializedCount count: Int) throws(TensorError) {
        let operation = "TensorStorage(uninitializedCount:)"
        guard count >= 0 else { throw .negativeExtent(operation: operation, shape: [count]) }
        try self.init(checkedCount: count, operation: operation, shape: [count])
    }

    /// Allocates `count` (≥ 0) floats for a tensor of `shape`, or throws
    /// ``TensorError/tooManyElements(operation:shape:)`` / ``TensorError/allocationFailed(operation:shape:bytes:)``
    /// naming `operation`: user-sized tensors report a failed allocation instead of crashing.
    convenience init(checkedCount count: Int, operation: String, shape: [Int]) throws(TensorError) {
        let (bytes, overflow) = Swift.max(count, 1).multipliedReportingOverflow(by: MemoryLayout<Float>.stride)
        guard !overflow else { throw .tooManyElements(operation: operation, shape: shape) }
        guard let base = Self.allocate(count, bytes: bytes) else { throw .allocationFailed(operation: operation, shape: shape, bytes: bytes) }
        self.init(owning: base, count: count)
    }

    /// Allocates `count` (≥ 0, valid by construction) uninitialised floats; stops the process if
    /// memory runs out, like any Swift allocation. The path of every internal tensor.
    package convenience init(uncheckedCount count: Int) {
        guard let base = Self.allocate(count, bytes: Swift.max(count, 1) * MemoryLayout<Float>.stride) else {
            fatalError("out of memory for \(count) floats")
        }
        self.init(owning: base, count: count)
    }

    /// `bytes` from malloc (freed in deinit) for `count` floats, nil if they cannot be had.
    private static func allocate(_ count: Int, bytes: Int) -> UnsafeMutablePointer<Float>? {
        malloc(bytes)?.bindMemory(to: Float.self, capacity: Swift.max(count, 1))
    }

    private init(owning base: UnsafeMutablePointer<Float>, count: Int) {
        self.base = base
        self.count = count
        self.isWritable = true
        self.owner = nil
    }

    /// Wraps memory that `owner` keeps alive (read-only).
    package init(borrowing base: UnsafePointer<Float>, count: Int, owner: AnyObject) {
        self.base = UnsafeMutablePointer(mutating: base)
        self.count = count
        self.isWritable = false
        self.owner = owner
    }

    deinit {
        if owner == nil { free(base) }
    }

    /// Asks the owner of borrowed storage to drop `count` elements from `offset` from the
    /// resident set, e.g. weights just copied into a packed form. No effect on owned storage.
    func releaseResidentPages(offset: Int, count: Int) {
        guard let owner = owner as? ResidentPagesReleasing, offset >= 0, count > 0, offset + count <= self.count else { return }
        owner.releaseResidentPages(UnsafeRawBufferPointer(start: base + offset, count: count * MemoryLayout<Float>.stride))
    }
}
