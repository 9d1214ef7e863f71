import Layers

extension SequenceLayout {
    /// Sequences `group` of packed per-position values over keys, [rows, heads, keys] (query
    /// row i of sequence s holds its keys 0..<length(s); later entries are ignored), as
    /// [group.count, heads, longest, longest], left-padded on both sequence axes, zeros at
    /// padding. This is how attention probabilities travel. O(group · heads · longest²).
    func leftPaddedSquare(_ packed: Tensor, sequences group: Range<Int>) -> Tensor {
        let (heads, keys) = (packed.shape[1], packed.shape[2])
        let length = group.map { lengths[$0] }.max() ?? 0
        var out = Tensor.zeros([group.count, heads, length, length])
        out.withUnsafeMutableBuffer { o in
            packed.withUnsafeBuffer { p in
                for (g, s) in group.enumerated() {
                    let (n, pad) = (lengths[s], length - lengths[s])
                    precondition(n <= keys, "packed probabilities hold \(keys) keys, sequence \(s) has \(n)")
                    for h in 0..<heads {
                        for i in 0..<n {
                            let src = p.baseAddress! + ((offsets[s] + i) * heads + h) * keys
                            let dst = o.baseAddress! + ((g * heads + h) * length + pad + i) * length + pad
                            dst.update(from: src, count: n)
                        }
                    }
                }
            }
        }
        return out
    }

    /// Writes left-padded [group.count, heads, longest, longest] values back into their
    /// sequences' rows of packed [rows, heads, keys] values (the inverse of ``leftPaddedSquare(_:sequences:)``).
    func scatterSquare(_ padded: Tensor, into packed: inout Tensor, sequences group: Range<Int>) {
        let (heads, keys) = (packed.shape[1], packed.shape[2])
        let length = padded.shape[2]
        packed.withUnsafeMutableBuffer { p in
            padded.withUnsafeBuffer { o in
                for (g, s) in group.enumerated() {
                    let (n, pad) = (lengths[s], length - lengths[s])
                    for h in 0..<heads {
                        for i in 0..<n {
                            let dst = p.baseAddress! + ((offsets[s] + i) * heads + h) * keys
                            let src = o.baseAddress! + ((g * heads + h) * length + pad + i) * length + pad
                            dst.update(from: src, count: n)
                        }
                    }
                }
            }
        }
    }
}
