import Testing
@testable import SwiftSightCheckpoint

/// F16 and BF16 widen exactly; checked against hand-computed bit patterns and, where Swift
/// has `Float16`, against the standard library for all 65536 patterns.
@Suite struct HalfPrecisionTests {
    static let halfCases: [(UInt16, Float)] = [
        (0x3C00, 1.0),
        (0xC100, -2.5),
        (0x7BFF, 65504),  // largest finite binary16
        (0x0001, 0x1p-24),  // smallest subnormal
        (0x03FF, 1023 * 0x1p-24),  // largest subnormal
        (0x0400, 0x1p-14),  // smallest normal
        (0x3555, 0.333251953125),
        (0x0000, 0),
        (0x7C00, .infinity),
        (0xFC00, -.infinity),
    ]

    @Test(arguments: halfCases)
    func halfBitPatterns(bits: UInt16, expected: Float) {
        #expect(HalfPrecision.float(fromHalfBits: bits) == expected)
    }

    @Test func halfSignedZeroAndNaN() {
        let negativeZero = HalfPrecision.float(fromHalfBits: 0x8000)
        #expect(negativeZero == 0 && negativeZero.sign == .minus)
        #expect(HalfPrecision.float(fromHalfBits: 0x7E00).isNaN)
        #expect(HalfPrecision.float(fromHalfBits: 0xFE01).isNaN)
        #expect(HalfPrecision.float(fromHalfBits: 0x7C01).isNaN)  // lowest-payload NaN, not infinity
        #expect(HalfPrecision.float(fromHalfBits: 0x8001) == -0x1p-24)
    }

    static let bfloat16Cases: [(UInt16, Float)] = [
        (0x3F80, 1.0),
        (0xC020, -2.5),
        (0x4780, 65536),
        (0x477F, 65280),  // 65504 is not a bfloat16; this is the one below it
        (0x7F7F, Float(bitPattern: 0x7F7F_0000)),  // largest finite bfloat16
        (0x0001, Float(bitPattern: 0x0001_0000)),  // smallest subnormal, 2^-133
        (0x0080, 0x1p-126),  // smallest normal
        (0x7F80, .infinity),
        (0xFF80, -.infinity),
    ]

    @Test(arguments: bfloat16Cases)
    func bfloat16BitPatterns(bits: UInt16, expected: Float) {
        #expect(HalfPrecision.float(fromBFloat16Bits: bits) == expected)
    }

    @Test func bfloat16NaNAndSubnormalValue() {
        #expect(HalfPrecision.float(fromBFloat16Bits: 0x7FC0).isNaN)
        #expect(HalfPrecision.float(fromBFloat16Bits: 0xFFC1).isNaN)
        #expect(HalfPrecision.float(fromBFloat16Bits: 0x0001) == 0x1p-133)
    }

    #if !(os(macOS) && arch(x86_64))  // Float16 is unavailable on Intel Macs
    @Test func everyHalfPatternMatchesFloat16() {
        var mismatches = 0
        for bits in UInt16.min...UInt16.max {
            let ours = HalfPrecision.float(fromHalfBits: bits)
            let reference = Float(Float16(bitPattern: bits))
            let same = ours.isNaN ? reference.isNaN : ours.bitPattern == reference.bitPattern
            if !same { mismatches += 1 }
        }
        #expect(mismatches == 0)
    }
    #endif
}
