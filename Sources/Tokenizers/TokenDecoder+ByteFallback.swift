import SwiftSightReading

extension TokenDecoder {
    /// Hugging Face's `ByteFallback` decoder: each run of `<0xNN>` tokens becomes one token
    /// holding the text of its bytes when they are well-formed UTF-8, else one U+FFFD per byte;
    /// other tokens pass through.
    static func fallBackToBytes(_ tokens: [String]) -> [String] {
        var out: [String] = []
        out.reserveCapacity(tokens.count)
        var pending: [UInt8] = []
        func flush() {
            guard !pending.isEmpty else { return }
            if UTF8Validation.firstInvalidOffset(in: pending) == nil {
                out.append(String(decoding: pending, as: UTF8.self))
            } else {
                out.append(contentsOf: repeatElement("\u{FFFD}", count: pending.count))
            }
            pending.removeAll(keepingCapacity: true)
        }
        for token in tokens {
            if let byte = byte(ofFallbackToken: token) {
                pending.append(byte)
            } else {
                flush()
                out.append(token)
            }
        }
        flush()
        return out
    }

    /// The byte of a `<0xNN>` token: six UTF-8 bytes, `<0x`, two characters that Rust's
    /// `u8::from_str_radix(_, 16)` reads (hex digits in either case, or `+` and one digit),
    /// then `>`.
    static func byte(ofFallbackToken token: String) -> UInt8? {
        let utf8 = token.utf8
        guard utf8.count == 6 else { return nil }
        let bytes = Array(utf8)
        guard bytes[0] == UInt8(ascii: "<"), bytes[1] == UInt8(ascii: "0"), bytes[2] == UInt8(ascii: "x"),
            bytes[5] == UInt8(ascii: ">")
        else { return nil }
        if bytes[3] == UInt8(ascii: "+") { return hexValue(bytes[4]) }
        guard let high = hexValue(bytes[3]), let low = hexValue(bytes[4]) else { return nil }
        return high << 4 | low
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
