/// Decoding Unicode scalars from UTF-8 bytes that came from a Swift `String`.
///
/// The input is well-formed, but nothing here traps if it is not: a stray byte decodes as a
/// one-byte scalar with its own value.
enum UTF8Scalars {
    /// The scalar value starting at `index` and its length in bytes.
    @inline(__always)
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int, end: Int) -> (value: UInt32, length: Int) {
        let lead = bytes[index]
        if lead < 0x80 { return (UInt32(lead), 1) }
        let length: Int
        var value: UInt32
        if lead >= 0xF0 {
            length = 4
            value = UInt32(lead & 0x07)
        } else if lead >= 0xE0 {
            length = 3
            value = UInt32(lead & 0x0F)
        } else if lead >= 0xC0 {
            length = 2
            value = UInt32(lead & 0x1F)
        } else {
            return (UInt32(lead), 1)
        }
        guard end - index >= length else { return (UInt32(lead), 1) }
        for offset in 1..<length {
            let byte = bytes[index + offset]
            guard byte & 0xC0 == 0x80 else { return (UInt32(lead), 1) }
            value = value << 6 | UInt32(byte & 0x3F)
        }
        return (value, length)
    }

    /// The start of the scalar that ends just before `index` (which must be above `start`).
    @inline(__always)
    static func startOfScalar(before index: Int, in bytes: UnsafeBufferPointer<UInt8>, start: Int) -> Int {
        var position = index - 1
        var steps = 0
        while position > start, bytes[position] & 0xC0 == 0x80, steps < 3 {
            position -= 1
            steps += 1
        }
        return position
    }
}
