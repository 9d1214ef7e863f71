/// GPT-2's reversible mapping between bytes and printable Unicode scalars.
///
/// Byte-level BPE vocabularies spell every byte as one visible character: printable Latin-1
/// bytes stand for themselves and the other 68 (controls, space, DEL, NBSP, soft hyphen) are
/// moved to U+0100…U+0143, so a space is `Ġ` (U+0120) and a newline `Ċ` (U+010A).
enum ByteLevel {
    /// The scalar that stands for each byte, indexed by byte.
    static let scalars: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: " ", count: 256)
        var next: UInt32 = 256
        for byte in 0..<256 {
            let printable = (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte)
            let value = printable ? UInt32(byte) : next
            if !printable { next += 1 }
            table[byte] = Unicode.Scalar(value) ?? " "
        }
        return table
    }()

    /// For scalars below U+0144, the byte each stands for, or -1 when it stands for none.
    private static let bytesByScalar: [Int16] = {
        var table = [Int16](repeating: -1, count: 0x144)
        for (byte, scalar) in scalars.enumerated() { table[Int(scalar.value)] = Int16(byte) }
        return table
    }()

    /// The byte that `scalar` stands for, or `nil` when it is not one of the 256 byte scalars.
    static func byte(for scalar: Unicode.Scalar) -> UInt8? {
        let value = Int(scalar.value)
        guard value < bytesByScalar.count else { return nil }
        let byte = bytesByScalar[value]
        return byte < 0 ? nil : UInt8(byte)
    }

    /// The byte-level spelling of `bytes`: one scalar per byte.
    static func encode<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> String {
        var text = String.UnicodeScalarView()
        for byte in bytes { text.append(scalars[Int(byte)]) }
        return String(text)
    }

    /// The bytes that a byte-level token spells, or `nil` when some scalar of it is not one
    /// of the 256 byte scalars (as in an added token such as `<|日本|>`).
    static func decode(_ token: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(token.utf8.count)
        for scalar in token.unicodeScalars {
            guard let byte = byte(for: scalar) else { return nil }
            bytes.append(byte)
        }
        return bytes
    }
}
