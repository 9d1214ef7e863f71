/// Widening conversions from the 16-bit float formats to Float32.
///
/// Both are exact: every binary16 and bfloat16 value is representable in binary32. The
/// binary16 path works on bits rather than Swift's `Float16`, which is unavailable on
/// Intel Macs, so the result is the same on every platform.
enum HalfPrecision {
    /// The Float32 equal to the IEEE binary16 value with bit pattern `bits`.
    @inline(__always)
    static func float(fromHalfBits bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let exponent = UInt32(bits >> 10) & 0x1F
        let mantissa = UInt32(bits) & 0x3FF
        if exponent == 0x1F {
            // Infinity or NaN; the NaN payload moves to the top of the wider mantissa.
            return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
        }
        if exponent != 0 {
            // Normal: rebias the exponent from 15 to 127.
            return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))
        }
        // Zero or subnormal: mantissa × 2^-24, exact in Float32 (its subnormals are normals there).
        let magnitude = Float(mantissa) * 0x1p-24
        return sign == 0 ? magnitude : -magnitude
    }

    /// The Float32 equal to the bfloat16 value with bit pattern `bits` (its upper 16 bits).
    @inline(__always)
    static func float(fromBFloat16Bits bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }
}
