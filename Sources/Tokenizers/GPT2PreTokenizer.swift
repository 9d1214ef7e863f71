/// GPT-2's pre-tokenisation pattern, implemented as a scanner over Unicode scalars.
///
/// It splits exactly as Hugging Face `tokenizers` splits with the regex ``pattern``
/// (compiled there with Oniguruma): contractions (case-sensitive), runs of letters, of numbers
/// and of other symbols each with at most one leading U+0020 space, and runs of whitespace,
/// where `\s+(?!\S)` leaves the last whitespace scalar of a run that is followed by
/// non-whitespace to start the next piece. Character classes are those of ``ScalarClass``.
struct GPT2PreTokenizer: PieceScanner {
    /// The regex this scanner implements, as written in `tokenizer.json` files.
    static let pattern = #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#

    /// The GPT-2 scanner.
    init() {}

    /// Calls `body` with the byte range of each piece of `bytes`, in order; together the
    /// ranges cover `bytes`.
    func forEachPiece(in bytes: UnsafeBufferPointer<UInt8>, _ body: (Range<Int>) -> Void) {
        let end = bytes.count
        var index = 0
        while index < end {
            let next = Self.endOfPiece(startingAt: index, in: bytes, end: end)
            body(index..<next)
            index = next
        }
    }

    /// Where the piece that starts at `start` ends: the end of the regex match there.
    @inline(__always)
    static func endOfPiece(startingAt start: Int, in bytes: UnsafeBufferPointer<UInt8>, end: Int) -> Int {
        let (value, length) = UTF8Scalars.decode(bytes, at: start, end: end)
        // 's 't 're 've 'm 'll 'd
        if value == 0x27, start + 1 < end {
            switch bytes[start + 1] {
            case UInt8(ascii: "s"), UInt8(ascii: "t"), UInt8(ascii: "m"), UInt8(ascii: "d"):
                return start + 2
            case UInt8(ascii: "r"), UInt8(ascii: "v"):
                if start + 2 < end, bytes[start + 2] == UInt8(ascii: "e") { return start + 3 }
            case UInt8(ascii: "l"):
                if start + 2 < end, bytes[start + 2] == UInt8(ascii: "l") { return start + 3 }
            default:
                break
            }
        }
        let afterFirst = start + length
        let firstClass = ScalarClass.of(value: value)
        // " ?\p{L}+", " ?\p{N}+", " ?[^\s\p{L}\p{N}]+" with the optional space present.
        if value == 0x20, afterFirst < end {
            let (nextValue, nextLength) = UTF8Scalars.decode(bytes, at: afterFirst, end: end)
            let nextClass = ScalarClass.of(value: nextValue)
            if nextClass != .whitespace {
                return endOfRun(of: nextClass, from: afterFirst + nextLength, in: bytes, end: end)
            }
        }
        guard firstClass == .whitespace else {
            return endOfRun(of: firstClass, from: afterFirst, in: bytes, end: end)
        }
        // "\s+(?!\S)" then "\s+".
        var lastStart = start
        var index = afterFirst
        while index < end {
            let (nextValue, nextLength) = UTF8Scalars.decode(bytes, at: index, end: end)
            guard ScalarClass.of(value: nextValue) == .whitespace else { break }
            lastStart = index
            index += nextLength
        }
        if index == end || lastStart == start { return index }
        return lastStart
    }

    /// The end of the run of scalars of class `scalarClass` that continues at `index`.
    @inline(__always)
    static func endOfRun(of scalarClass: ScalarClass, from index: Int, in bytes: UnsafeBufferPointer<UInt8>, end: Int) -> Int {
        var index = index
        while index < end {
            let (value, length) = UTF8Scalars.decode(bytes, at: index, end: end)
            guard ScalarClass.of(value: value) == scalarClass else { break }
            index += length
        }
        return index
    }
}
