/// A binary min-heap of pending merges, ordered by rank and then by position.
struct MergeQueue {
    /// A pending merge at `position`, making token `newID`.
    struct Entry {
        /// `rank << 32 | position`: the ordering key.
        let key: UInt64
        let newID: UInt32
        var position: Int { Int(key & 0xFFFF_FFFF) }
    }

    private var entries: [Entry] = []

    init(capacity: Int) {
        entries.reserveCapacity(capacity)
    }

    mutating func push(rank: UInt32, position: Int, newID: UInt32) {
        entries.append(Entry(key: UInt64(rank) << 32 | UInt64(truncatingIfNeeded: position), newID: newID))
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard entries[child].key < entries[parent].key else { break }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Entry? {
        guard let last = entries.popLast() else { return nil }
        guard !entries.isEmpty else { return last }
        let top = entries[0]
        entries[0] = last
        var parent = 0
        let count = entries.count
        while true {
            let left = 2 * parent + 1
            if left >= count { break }
            let right = left + 1
            let smaller = right < count && entries[right].key < entries[left].key ? right : left
            guard entries[smaller].key < entries[parent].key else { break }
            entries.swapAt(smaller, parent)
            parent = smaller
        }
        return top
    }
}
