/// A dictionary key made of exact UTF-8 bytes.
///
/// Swift's `String` equality treats canonically equivalent text as equal (`"Å"` U+00C5 and
/// `"Å"` U+212B, precomposed and decomposed Hangul, …), but a vocabulary can hold both as
/// different tokens, and two such pieces of input must not share a cache entry. This key
/// compares bytes only. The first 24 bytes are stored inline, so keys for short tokens and
/// words need no allocation.
struct TokenKey: Hashable, Sendable {
    private var word0: UInt64 = 0
    private var word1: UInt64 = 0
    private var word2: UInt64 = 0
    private var count: Int
    private var tail: [UInt8] = []

    private static let inlineCapacity = 24

    /// The key for `bytes`.
    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        count = bytes.count
        var words: (UInt64, UInt64, UInt64) = (0, 0, 0)
        let inline = min(bytes.count, Self.inlineCapacity)
        withUnsafeMutableBytes(of: &words) { raw in
            for offset in 0..<inline { raw[offset] = bytes[offset] }
        }
        (word0, word1, word2) = words
        if bytes.count > Self.inlineCapacity {
            tail = Array(bytes[Self.inlineCapacity...])
        }
    }

    /// The key for `bytes`.
    init(_ bytes: ArraySlice<UInt8>) {
        self = bytes.withUnsafeBufferPointer { TokenKey($0) }
    }

    /// The key for the UTF-8 bytes of `text`.
    init(_ text: String) {
        var text = text
        self = text.withUTF8 { TokenKey($0) }
    }
}
