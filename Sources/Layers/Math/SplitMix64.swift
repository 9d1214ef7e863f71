/// SplitMix64 (Steele, Lea and Flood): a tiny generator whose output depends only on its seed.
/// The one copy behind every seeded stream in the package: sampling's xoshiro seeding, the
/// benchmark operands and the tests' random inputs, so all of them reproduce run to run.
package struct SplitMix64: Sendable {
    package var state: UInt64

    package init(seed: UInt64) { state = seed }

    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
