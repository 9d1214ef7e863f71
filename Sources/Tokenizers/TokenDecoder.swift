/// How a sequence of token strings becomes text: the `decoder` of a `tokenizer.json`.
///
/// As in Hugging Face, each decoder turns the list of token strings into a new list
/// (``decodeChain(_:)``); a sequence chains them; the final list is concatenated.
indirect enum TokenDecoder: Sendable, Equatable {
    /// `ByteLevel`: each token's scalars are turned back into the bytes they stand for (a
    /// token with any other scalar contributes its own UTF-8 bytes), and the bytes of all
    /// tokens are read as UTF-8 with each ill-formed sequence replaced by U+FFFD.
    case byteLevel
    /// `Replace` with a string pattern: in each token, every occurrence of `pattern` becomes
    /// `content`.
    case replace(pattern: String, content: String)
    /// `ByteFallback`: runs of `<0xNN>` tokens become the text of their bytes.
    case byteFallback
    /// `Fuse`: all tokens become one.
    case fuse
    /// `Strip`: up to `start` leading and `stop` trailing `content` scalars are removed from
    /// each token.
    case strip(content: Unicode.Scalar, start: Int, stop: Int)
    /// `Metaspace`: the replacement scalar becomes a space, except in the first token when
    /// `prependsToFirst` (any prepend scheme but `never`), where it is removed.
    case metaspace(replacement: Unicode.Scalar, prependsToFirst: Bool)
    /// `Sequence`: each decoder in turn.
    case sequence([TokenDecoder])

    /// The text for `tokens`.
    func decode(_ tokens: [String]) -> String {
        decodeChain(tokens).joined()
    }

    /// The tokens after this decoder.
    func decodeChain(_ tokens: [String]) -> [String] {
        switch self {
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
            return [String(decoding: bytes, as: UTF8.self)]
        case .replace(let pattern, let content):
            let patternBytes = Array(pattern.utf8)
            let contentBytes = Array(content.utf8)
            return tokens.map { token in
                let bytes = Array(token.utf8)
                return String(decoding: TextNormalizer.replacing(patternBytes, with: contentBytes, in: bytes[...]), as: UTF8.self)
            }
        case .byteFallback:
            return Self.fallBackToBytes(tokens)
        case .fuse:
            return [tokens.joined()]
        case .strip(let content, let start, let stop):
            return tokens.map { Self.strip($0, content: content, start: start, stop: stop) }
        case .metaspace(let replacement, let prependsToFirst):
            return tokens.enumerated().map { index, token in
                var out = String.UnicodeScalarView()
                for scalar in token.unicodeScalars {
                    if scalar == replacement {
                        if index == 0 && prependsToFirst { continue }
                        out.append(" ")
                    } else {
                        out.append(scalar)
                    }
                }
                return String(out)
            }
        case .sequence(let steps):
            return steps.reduce(tokens) { $1.decodeChain($0) }
        }
    }

    /// `token` without up to `start` leading and `stop` trailing `content` scalars.
    static func strip(_ token: String, content: Unicode.Scalar, start: Int, stop: Int) -> String {
        let scalars = Array(token.unicodeScalars)
        var lower = 0
        while lower < min(start, scalars.count), scalars[lower] == content { lower += 1 }
        var upper = scalars.count
        var removed = 0
        while removed < stop, upper > lower, scalars[upper - 1] == content {
            upper -= 1
            removed += 1
        }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: scalars[lower..<upper])
        return String(out)
    }
}
