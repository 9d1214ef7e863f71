extension UnsafeBufferPointer where Element == Float {
    /// The index of the largest value, the first one on ties (as `torch.argmax`); 0 when empty.
    /// A NaN is never larger than anything. Greedy decoding's choice.
    ///
    /// Complexity: O(count).
    package func firstIndexOfMaximum() -> Int {
        var best = 0
        for i in indices where self[i] > self[best] { best = i }
        return best
    }

    /// For each run of `rowWidth` values (a row of a row-major matrix), the first index of its
    /// maximum, as ``firstIndexOfMaximum()``. O(count).
    package func firstIndicesOfMaximum(rowWidth: Int) -> [Int] {
        guard rowWidth > 0 else { return [] }
        return (0..<(count / rowWidth)).map {
            UnsafeBufferPointer(rebasing: self[($0 * rowWidth)..<(($0 + 1) * rowWidth)]).firstIndexOfMaximum()
        }
    }
}
