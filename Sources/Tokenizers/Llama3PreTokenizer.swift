/// The pre-tokenisation pattern of Llama 3 (OpenAI's `cl100k_base` pattern) and, with single
/// digits, of Qwen2, implemented as a scanner over Unicode scalars.
///
/// It splits exactly as Hugging Face `tokenizers` splits with ``llama3Pattern`` or
/// ``qwen2Pattern`` (compiled there with Oniguruma), trying the alternatives in order at each
/// position:
/// 1. `(?i:'s|'t|'re|'ve|'m|'ll|'d)`: contractions in any case (`ſ`, U+017F, folds to `s`);
/// 2. `[^\r\n\p{L}\p{N}]?\p{L}+`: a run of letters, with at most one leading scalar that is
///    neither CR, LF, a letter nor a number (a space, a tab, a symbol…);
/// 3. `\p{N}{1,3}` (Qwen2: `\p{N}`): up to ``digitsPerPiece`` numbers;
/// 4. ` ?[^\s\p{L}\p{N}]+[\r\n]*`: symbols, with at most one leading U+0020, then any CR/LF;
/// 5. `\s*[\r\n]+`: whitespace up to and including its last CR or LF;
/// 6. `\s+(?!\S)`: whitespace, leaving the last scalar when non-whitespace follows;
/// 7. `\s+`.
///
/// Character classes are those of ``ScalarClass``.
struct Llama3PreTokenizer: PieceScanner, Equatable {
    /// Llama 3's regex, as written in its `tokenizer.json`.
    static let llama3Pattern =
        #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
    /// Qwen2's regex, as written in its `tokenizer.json`: Llama 3's with single digits.
    static let qwen2Pattern =
        #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#

    /// Llama 3's scanner: numbers in pieces of up to three.
    static let llama3 = Llama3PreTokenizer(digitsPerPiece: 3)
    /// Qwen2's scanner: one number per piece.
    static let qwen2 = Llama3PreTokenizer(digitsPerPiece: 1)

    /// The most number scalars in one piece.
    let digitsPerPiece: Int

    /// A scanner that puts at most `digitsPerPiece` (at least 1) numbers in a piece.
    init(digitsPerPiece: Int) {
        self.digitsPerPiece = max(1, digitsPerPiece)
    }

    /// The regex this scanner implements, when it is one of the two known ones.
    var pattern: String? {
        switch digitsPerPiece {
        case 3: return Self.llama3Pattern
        case 1: return Self.qwen2Pattern
        default: return nil
        }
    }

    /// Calls `body` with the byte range of each piece of `bytes`, in order; together the
    /// ranges cover `bytes`.
    func forEachPiece(in bytes: UnsafeBufferPointer<UInt8>, _ body: (Range<Int>) -> Void) {
        let end = bytes.count
        var index = 0
        while index < end {
            let next = endOfPiece(startingAt: index, in: bytes, end: end)
            body(index..<next)
            index = next
        }
    }

    /// Where the piece that starts at `start` ends: the end of the regex match there.
    @inline(__always)
    func endOfPiece(startingAt start: Int, in bytes: UnsafeBufferPointer<UInt8>, end: Int) -> Int {
        let (value, length) = UTF8Scalars.decode(bytes, at: start, end: end)
        if value == 0x27, let contractionEnd = Self.endOfContraction(after: start + 1, in: bytes, end: end) {
            return contractionEnd
        }
        let afterFirst = start + length
        switch ScalarClass.of(value: value) {
        case .letter:
            return GPT2PreTokenizer.endOfRun(of: .letter, from: afterFirst, in: bytes, end: end)
        case .number:
            var index = afterFirst
            var count = 1
            while count < digitsPerPiece, index < end {
                let (nextValue, nextLength) = UTF8Scalars.decode(bytes, at: index, end: end)
                guard ScalarClass.of(value: nextValue) == .number else { break }
                index += nextLength
                count += 1
            }
            return index
        case .other:
            if let lettersEnd = Self.endOfLetters(after: afterFirst, in: bytes, end: end) { return lettersEnd }
            let symbolsEnd = GPT2PreTokenizer.endOfRun(of: .other, from: afterFirst, in: bytes, end: end)
            return Self.endOfLineBreaks(from: symbolsEnd, in: bytes, end: end)
        case .whitespace:
            if value != 0x0A && value != 0x0D, let lettersEnd = Self.endOfLetters(after: afterFirst, in: bytes, end: end) {
                return lettersEnd
            }
            if value == 0x20, afterFirst < end {
                let (nextValue, nextLength) = UTF8Scalars.decode(bytes, at: afterFirst, end: end)
                if ScalarClass.of(value: nextValue) == .other {
                    let symbolsEnd = GPT2PreTokenizer.endOfRun(of: .other, from: afterFirst + nextLength, in: bytes, end: end)
                    return Self.endOfLineBreaks(from: symbolsEnd, in: bytes, end: end)
                }
            }
            return Self.endOfWhitespace(startingAt: start, firstLength: length, in: bytes, end: end)
        }
    }

    /// The end of `'s`, `'t`, `'re`, `'ve`, `'m`, `'ll` or `'d` in any case, when one follows the
    /// apostrophe that ends at `index`.
    @inline(__always)
    static func endOfContraction(after index: Int, in bytes: UnsafeBufferPointer<UInt8>, end: Int) -> Int? {
        guard index < end else { return nil }
        let first = bytes[index] | 0x20  // ASCII lowercase; other bytes never match below
        switch first {
        case UInt8(ascii: "s"), UInt8(ascii: "t"), UInt8(ascii: "m"), UInt8(ascii: "d"):
            return bytes[index] < 0x80 ? index + 1 : nil
        case UInt8(ascii: "r"), UInt8(ascii: "v"):
            guard bytes[index] < 0x80, index + 1 < end, bytes[index + 1] | 0x20 == UInt8(ascii: "e") else { return nil }
            return index + 2
        case UInt8(ascii: "l"):
            guard bytes[index] < 0x80, index + 1 < end, bytes[index + 1] | 0x20 == UInt8(ascii: "l") else { return nil }
            return index + 2
        default:
            // U+017F LATIN SMALL LETTER LONG S case-folds to "s".
            if bytes[index] == 0xC5, index + 1 < end, bytes[index + 1] == 0xBF { return index + 2 }
            return nil
        }
    }

    /// The end of the run of letters that starts at `index`, or `nil` when no letter is there.
    @inline(__always)
    static func endOfLetters(after index: Int, in bytes: UnsafeBufferPointer<UInt8>, end: Int) -> Int? {
        guard index < end else { return nil }
        let (value, length) = UTF8Scalars.decode(bytes, at: index, end: end)
        guard ScalarClass.of(value: value) == .letter else { return nil }
        return GPT2PreTokenizer.endOfRun(of: .letter, from: index + length, in: bytes, end: end)
    }

    /// The end of the CR and LF bytes that start at `index` (`[\r\n]*`).
    @inline(__always)
    static func endOfLineBreaks(from index: Int, in bytes: UnsafeBufferPointer<UInt8>, end: Int) -> Int {
        var index = index
        while index < end, bytes[index] == 0x0A || bytes[index] == 0x0D { index += 1 }
        return index
    }

    /// The end of the whitespace piece at `start`: through the last CR or LF of the run
    /// (`\s*[\r\n]+`), else the run less its last scalar when non-whitespace follows and the
    /// run has more than one (`\s+(?!\S)`), else the whole run (`\s+`).
    static func endOfWhitespace(startingAt start: Int, firstLength: Int, in bytes: UnsafeBufferPointer<UInt8>, end: Int) -> Int {
        let firstValue = bytes[start]
        var lastBreakEnd = firstValue == 0x0A || firstValue == 0x0D ? start + 1 : -1
        var lastStart = start
        var index = start + firstLength
        while index < end {
            let (value, length) = UTF8Scalars.decode(bytes, at: index, end: end)
            guard ScalarClass.of(value: value) == .whitespace else { break }
            if value == 0x0A || value == 0x0D { lastBreakEnd = index + 1 }
            lastStart = index
            index += length
        }
        if lastBreakEnd >= 0 { return lastBreakEnd }
        if index == end || lastStart == start { return index }
        return lastStart
    }
}
