/// xoshiro256** (Blackman and Vigna), seeded with SplitMix64: a small, fast generator whose
/// output depends only on its seed, so sampled generations are reproducible everywhere.
struct RandomSource: RandomNumberGenerator, Sendable {
    private var s: (UInt64, UInt64, UInt64, UInt64)

    /// A generator for `seed`; `stream` selects an independent sequence (one per prompt).
    init(seed: UInt64, stream: UInt64 = 0) {
        var seeder = SplitMix64(seed: seed ^ (stream &* 0xD1B5_4A32_D192_ED03))
        s = (seeder.next(), seeder.next(), seeder.next(), seeder.next())
    }

    mutating func next() -> UInt64 {
        let result = rotate(s.1 &* 5, 7) &* 9
        let t = s.1 << 17
        s.2 ^= s.0
        s.3 ^= s.1
        s.1 ^= s.2
        s.0 ^= s.3
        s.2 ^= t
        s.3 = rotate(s.3, 45)
        return result
    }

    /// A uniform value in [0, 1) with 53 random bits.
    mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

    private func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}
