extension UnsafeBufferPointer where Element == Float {
    /// The index of the largest value, the first one on ties (as `torch.argmax`); 0 when empty.
    /// A NaN is never larger than anything. Greedy decoding's choice.
    ///
    /// Complexity: O(count).
    public func firstIndexOfMaximum() -> Int {
        var best = 0
        for i in indices where self[i] > self[best] { best = i }
        return best
    }
}
