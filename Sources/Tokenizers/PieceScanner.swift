/// A pre-tokenizer that finds its pieces by scanning the input bytes in place: one of the
/// hand-written scanners that stand for the regexes of `Split` pre-tokenizers.
///
/// Every byte belongs to exactly one piece, so the pieces are the gaps-free sequence of the
/// regex's matches (Hugging Face's `Isolated` behaviour on a pattern that matches everywhere).
protocol PieceScanner: PreTokenizer {
    /// Calls `body` with the byte range of each piece of `bytes` (well-formed UTF-8), in
    /// order; together the ranges cover `bytes`.
    func forEachPiece(in bytes: UnsafeBufferPointer<UInt8>, _ body: (Range<Int>) -> Void)
}

extension PieceScanner {
    /// Appends the pieces that ``forEachPiece(in:_:)`` finds to `pieces`.
    func split(_ text: ArraySlice<UInt8>, into pieces: inout [ArraySlice<UInt8>]) {
        text.withUnsafeBufferPointer { buffer in
            let base = text.startIndex
            forEachPiece(in: buffer) { range in
                pieces.append(text[(base + range.lowerBound)..<(base + range.upperBound)])
            }
        }
    }
}
