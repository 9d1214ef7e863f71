/// How a sequence of token strings becomes text: the `decoder` of a `tokenizer.json`.
enum TokenDecoder: Sendable, Equatable {
    /// Hugging Face's `ByteLevel` decoder: each token's scalars are turned back into the bytes
    /// they stand for (a token with any other scalar contributes its own UTF-8 bytes), and the
    /// bytes of all tokens are read as UTF-8 with each ill-formed sequence replaced by U+FFFD.
    case byteLevel
    /// No decoder: Hugging Face joins the token strings with single spaces.
    case spaceJoined

    /// The text for `tokens`.
    func decode(_ tokens: [String]) -> String {
        switch self {
        case .spaceJoined:
            return tokens.joined(separator: " ")
        case .byteLevel:
            var bytes: [UInt8] = []
            for token in tokens {
                if let decoded = ByteLevel.decode(token) {
                    bytes.append(contentsOf: decoded)
                } else {
                    bytes.append(contentsOf: token.utf8)
                }
            }
            // The standard library replaces each maximal ill-formed subsequence with one
            // U+FFFD, as Rust's `String::from_utf8_lossy` does.
            return String(decoding: bytes, as: UTF8.self)
        }
    }
}
