import Foundation

/// The Unicode 9.0 normalization data that Hugging Face `tokenizers` uses, built once from
/// Foundation and the standard library on first use (about a tenth of a second).
///
/// Only scalars assigned by Unicode 9.0 get a decomposition, a combining class or take part
/// in a composition. Each single scalar is decomposed by Foundation, which is reliable for
/// one scalar; primary composites are found by recomposing those decompositions.
/// Hangul syllables are left to ``TextNormalizer``'s arithmetic.
final class NormalizationTables: Sendable {
    /// The tables, built on first use.
    static let shared = NormalizationTables()

    /// The newest Unicode version whose assignments count.
    static let unicodeVersion: Unicode.Version = (major: 9, minor: 0)

    private let canonical: [UInt32: [UInt32]]
    private let compatibility: [UInt32: [UInt32]]
    private let composites: [UInt64: UInt32]

    private init() {
        var canonical: [UInt32: [UInt32]] = [:]
        var compatibility: [UInt32: [UInt32]] = [:]
        for value in UInt32(0xA0)..<0x30000 {
            if value >= 0xAC00 && value < 0xAC00 + 11_172 { continue }
            guard let scalar = Unicode.Scalar(value), Self.isKnown(scalar) else { continue }
            let text = String(scalar)
            let canonicalForm = text.decomposedStringWithCanonicalMapping.unicodeScalars.map(\.value)
            if canonicalForm != [value] { canonical[value] = canonicalForm }
            let compatibilityForm = text.decomposedStringWithCompatibilityMapping.unicodeScalars.map(\.value)
            if compatibilityForm != [value] { compatibility[value] = compatibilityForm }
        }
        var composites: [UInt64: UInt32] = [:]
        for (value, decomposition) in canonical where decomposition.count >= 2 {
            guard let scalar = Unicode.Scalar(value),
                String(scalar).precomposedStringWithCanonicalMapping.unicodeScalars.map(\.value) == [value],
                let last = decomposition.last
            else { continue }
            var head = String.UnicodeScalarView()
            head.append(contentsOf: decomposition.dropLast().compactMap(Unicode.Scalar.init))
            let first = String(head).precomposedStringWithCanonicalMapping.unicodeScalars.map(\.value)
            guard first.count == 1 else { continue }
            composites[UInt64(first[0]) << 32 | UInt64(last)] = value
        }
        self.canonical = canonical
        self.compatibility = compatibility
        self.composites = composites
    }

    /// Whether `scalar` was assigned by ``unicodeVersion``.
    static func isKnown(_ scalar: Unicode.Scalar) -> Bool {
        guard let age = scalar.properties.age else { return false }
        return age.major < unicodeVersion.major || (age.major == unicodeVersion.major && age.minor <= unicodeVersion.minor)
    }

    /// The full decomposition of `value`, or `nil` when it decomposes to itself.
    func decomposition(of value: UInt32, compatibility useCompatibility: Bool) -> [UInt32]? {
        useCompatibility ? compatibility[value] : canonical[value]
    }

    /// The canonical combining class of `value`; 0 for scalars after Unicode 9.0.
    func combiningClass(_ value: UInt32) -> UInt8 {
        if value < 0x300 { return 0 }
        guard let scalar = Unicode.Scalar(value), Self.isKnown(scalar) else { return 0 }
        return UInt8(truncatingIfNeeded: scalar.properties.canonicalCombiningClass.rawValue)
    }

    /// The primary composite of `first` and `second` (Hangul excluded), if any.
    func composite(_ first: UInt32, _ second: UInt32) -> UInt32? {
        composites[UInt64(first) << 32 | UInt64(second)]
    }
}
