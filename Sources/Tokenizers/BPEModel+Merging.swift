extension BPEModel {
    /// Applies merges to `symbols` until none applies, as Hugging Face's `Word::merge_all`
    /// does without dropout: a queue ordered by (rank, position) hands out the next merge;
    /// entries made stale by an earlier merge are skipped; each merge queues the new pairs it
    /// forms with its neighbours.
    func mergeAll(_ symbols: inout [UInt32]) {
        let count = symbols.count
        guard count >= 2 else { return }
        var ids = symbols
        var previous = [Int](unsafeUninitializedCapacity: count) { buffer, initialized in
            for index in 0..<count { buffer[index] = index - 1 }
            initialized = count
        }
        var next = [Int](unsafeUninitializedCapacity: count) { buffer, initialized in
            for index in 0..<count { buffer[index] = index + 1 < count ? index + 1 : -1 }
            initialized = count
        }
        var removed = [Bool](repeating: false, count: count)
        var queue = MergeQueue(capacity: count)
        for position in 0..<(count - 1) {
            if let merge = merges[Self.pairKey(ids[position], ids[position + 1])] {
                queue.push(rank: merge.rank, position: position, newID: merge.newID)
            }
        }
        var merged = false
        while let top = queue.pop() {
            let position = top.position
            if removed[position] { continue }
            let right = next[position]
            if right == -1 { continue }
            guard let current = merges[Self.pairKey(ids[position], ids[right])], current.newID == top.newID else {
                continue
            }
            merged = true
            ids[position] = top.newID
            let afterRight = next[right]
            next[position] = afterRight
            removed[right] = true
            if afterRight >= 0 { previous[afterRight] = position }
            let left = previous[position]
            if left >= 0, let merge = merges[Self.pairKey(ids[left], ids[position])] {
                queue.push(rank: merge.rank, position: left, newID: merge.newID)
            }
            if afterRight >= 0, let merge = merges[Self.pairKey(ids[position], ids[afterRight])] {
                queue.push(rank: merge.rank, position: position, newID: merge.newID)
            }
        }
        guard merged else { return }
        symbols.removeAll(keepingCapacity: true)
        for index in 0..<count where !removed[index] { symbols.append(ids[index]) }
    }
}
