/// A trie over UTF-8 bytes that finds the leftmost-longest match of a set of patterns.
struct ByteTrie: Sendable {
    private var children: [[UInt8: Int32]] = [[:]]
    private var values: [UInt32?] = [nil]
    private var startsMatch = [Bool](repeating: false, count: 256)

    /// A trie of non-empty `patterns`; when a pattern appears twice, the later id wins.
    init(patterns: [(pattern: [UInt8], id: UInt32)]) {
        for (pattern, id) in patterns {
            guard let first = pattern.first else { continue }
            startsMatch[Int(first)] = true
            var node = 0
            for byte in pattern {
                if let child = children[node][byte] {
                    node = Int(child)
                } else {
                    children.append([:])
                    values.append(nil)
                    let child = children.count - 1
                    children[node][byte] = Int32(child)
                    node = child
                }
            }
            values[node] = id
        }
    }

    /// The leftmost match at or after `from`, the longest one there.
    func leftmostLongest(in buffer: UnsafeBufferPointer<UInt8>, from: Int) -> (start: Int, end: Int, id: UInt32)? {
        var start = from
        let count = buffer.count
        while start < count {
            if startsMatch[Int(buffer[start])] {
                var node = 0
                var index = start
                var best: (end: Int, id: UInt32)?
                while index < count, let child = children[node][buffer[index]] {
                    node = Int(child)
                    index += 1
                    if let id = values[node] { best = (index, id) }
                }
                if let best { return (start, best.end, best.id) }
            }
            start += 1
        }
        return nil
    }
}
