/// Finds added tokens in text and splits it around them, as Hugging Face's
/// `AddedVocabulary::find_matches` does.
///
/// Matches are leftmost-longest and do not overlap. A `singleWord` token is dropped where a
/// word character (`\w` of Rust's `regex` crate) touches it; `lstrip` and `rstrip` widen a
/// match over the whitespace before or after it.
struct AddedTokenSplitter: Sendable {
    /// A stretch of text, or an added token found in it.
    enum Segment {
        case token(UInt32)
        case text(ArraySlice<UInt8>)
    }

    private let trie: ByteTrie?
    private let tokens: [UInt32: AddedToken]

    /// A splitter for `patterns` (UTF-8 contents and their ids); `tokens` gives their flags.
    init(patterns: [(pattern: [UInt8], id: UInt32)], tokens: [UInt32: AddedToken]) {
        let nonEmpty = patterns.filter { !$0.pattern.isEmpty }
        trie = nonEmpty.isEmpty ? nil : ByteTrie(patterns: nonEmpty)
        self.tokens = tokens
    }

    /// Calls `body` with the segments of `text` in order. Empty stretches are left out.
    func split(_ text: ArraySlice<UInt8>, _ body: (Segment) -> Void) {
        guard !text.isEmpty else { return }
        guard let trie else {
            body(.text(text))
            return
        }
        let base = text.startIndex
        text.withUnsafeBufferPointer { buffer in
            let count = buffer.count
            var startOffset = 0
            var searchFrom = 0
            while let match = trie.leftmostLongest(in: buffer, from: searchFrom) {
                searchFrom = match.end
                guard let token = tokens[match.id] else { continue }
                var start = match.start
                var stop = match.end
                if token.singleWord {
                    let clearBefore = start == 0 || !Self.isWordCharacter(before: start, in: buffer)
                    let clearAfter = stop == count || !Self.isWordCharacter(at: stop, in: buffer)
                    guard clearBefore && clearAfter else { continue }
                }
                if token.lstrip {
                    start = max(Self.startOfWhitespace(endingAt: start, in: buffer), startOffset)
                }
                if token.rstrip {
                    stop = Self.endOfWhitespace(startingAt: stop, in: buffer)
                }
                if startOffset < start {
                    body(.text(text[(base + startOffset)..<(base + start)]))
                }
                body(.token(match.id))
                startOffset = stop
            }
            if startOffset < count {
                body(.text(text[(base + startOffset)..<(base + count)]))
            }
        }
    }

    private static func isWordCharacter(before index: Int, in buffer: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = UTF8Scalars.startOfScalar(before: index, in: buffer, start: 0)
        let (value, _) = UTF8Scalars.decode(buffer, at: start, end: index)
        return Unicode.Scalar(value).map(ScalarClass.isWordCharacter) ?? false
    }

    private static func isWordCharacter(at index: Int, in buffer: UnsafeBufferPointer<UInt8>) -> Bool {
        let (value, _) = UTF8Scalars.decode(buffer, at: index, end: buffer.count)
        return Unicode.Scalar(value).map(ScalarClass.isWordCharacter) ?? false
    }

    /// The start of the run of whitespace that ends at `index`.
    private static func startOfWhitespace(endingAt index: Int, in buffer: UnsafeBufferPointer<UInt8>) -> Int {
        var position = index
        while position > 0 {
            let start = UTF8Scalars.startOfScalar(before: position, in: buffer, start: 0)
            let (value, _) = UTF8Scalars.decode(buffer, at: start, end: position)
            guard ScalarClass.of(value: value) == .whitespace else { break }
            position = start
        }
        return position
    }

    /// The end of the run of whitespace that starts at `index`.
    private static func endOfWhitespace(startingAt index: Int, in buffer: UnsafeBufferPointer<UInt8>) -> Int {
        var position = index
        while position < buffer.count {
            let (value, length) = UTF8Scalars.decode(buffer, at: position, end: buffer.count)
            guard ScalarClass.of(value: value) == .whitespace else { break }
            position += length
        }
        return position
    }
}
