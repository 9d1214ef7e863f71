import Layers

extension SequenceLayout {
    /// Sequences `group` of packed per-position values over keys, [rows, heads, keys] (query
    /// row i of sequence s holds its keys 0..<keyLength(s); later entries are ignored), as
    /// [group.count, heads, longest rows, longest keys], left-padded on both axes, zeros at
    /// padding. Without a cached prefix both axes have the same length. This is how attention
    /// probabilities travel. O(group · heads · rows · keys).
    func leftPaddedSquare(_ packed: Tensor, sequences group: Range<Int>) -> Tensor {
        let (heads, keys) = (packed.shape[1], packed.shape[2])
        let length = group.map { lengths[$0] }.max() ?? 0
        let keyWidth = group.map { keyLength(of: $0) }.max() ?? 0
        var out = Tensor.zeros([group.count, heads, length, keyWidth])
        out.withUnsafeMutableBuffer { o in
            packed.withUnsafeBuffer { p in
                for (g, s) in group.enumerated() {
                    let (n, k) = (lengths[s], keyLength(of: s))
                    let (pad, keyPad) = (length - n, keyWidth - k)
                    precondition(k <= keys, "packed probabilities hold \(keys) keys, sequence \(s) has \(k)")
                    for h in 0..<heads {
                        for i in 0..<n {
                            let src = p.baseAddress! + ((offsets[s] + i) * heads + h) * keys
                            let dst = o.baseAddress! + ((g * heads + h) * length + pad + i) * keyWidth + keyPad
                            dst.update(from: src, count: k)
                        }
                    }
                }
            }
        }
        return out
    }

    /// Writes left-padded [group.count, heads, longest rows, longest keys] values back into
    /// their sequences' rows of packed [rows, heads, keys] values (the inverse of
    /// ``leftPaddedSquare(_:sequences:)``).
    func scatterSquare(_ padded: Tensor, into packed: inout Tensor, sequences group: Range<Int>) {
        let (heads, keys) = (packed.shape[1], packed.shape[2])
        let (length, keyWidth) = (padded.shape[2], padded.shape[3])
        packed.withUnsafeMutableBuffer { p in
            padded.withUnsafeBuffer { o in
                for (g, s) in group.enumerated() {
                    let (n, k) = (lengths[s], keyLength(of: s))
                    let (pad, keyPad) = (length - n, keyWidth - k)
                    precondition(k <= keys, "packed probabilities hold \(keys) keys, sequence \(s) has \(k)")
                    for h in 0..<heads {
                        for i in 0..<n {
                            let dst = p.baseAddress! + ((offsets[s] + i) * heads + h) * keys
                            let src = o.baseAddress! + ((g * heads + h) * length + pad + i) * keyWidth + keyPad
                            dst.update(from: src, count: k)
                        }
                    }
                }
            }
        }
    }
}
