import Foundation

/// Unicode normalization applied to text before pre-tokenisation: the `normalizer` of a
/// `tokenizer.json`. GPT-2 has none; Qwen2 uses NFC.
///
/// Hugging Face `tokenizers` normalizes with Unicode 9.0 data, so a scalar assigned later
/// has no decomposition there, combines with nothing and has combining class 0. This type
/// does the same: such scalars are kept as they are and split the text into stretches that
/// are normalized (by Foundation) one at a time. Decompositions, combining classes and
/// composition exclusions of older scalars are stable across Unicode versions, so the result
/// matches.
public indirect enum TextNormalizer: Sendable, Equatable {
    /// Canonical composition.
    case nfc
    /// Canonical decomposition.
    case nfd
    /// Compatibility composition.
    case nfkc
    /// Compatibility decomposition.
    case nfkd
    /// Several normalizers applied in turn.
    case sequence([TextNormalizer])

    /// The Unicode version of the normalization data Hugging Face uses.
    static let unicodeVersion: Unicode.Version = (major: 9, minor: 0)

    /// `text` normalized.
    public func normalize(_ text: String) -> String {
        switch self {
        case .sequence(let steps):
            return steps.reduce(text) { $1.normalize($0) }
        case .nfc, .nfd, .nfkc, .nfkd:
            if text.utf8.allSatisfy({ $0 < 0x80 }) { return text }
            var result = String.UnicodeScalarView()
            var stretch = String.UnicodeScalarView()
            for scalar in text.unicodeScalars {
                if scalar.value < 0x80 || Self.isKnown(scalar) {
                    stretch.append(scalar)
                } else {
                    result.append(contentsOf: normalizeKnown(String(stretch)).unicodeScalars)
                    stretch.removeAll(keepingCapacity: true)
                    result.append(scalar)
                }
            }
            result.append(contentsOf: normalizeKnown(String(stretch)).unicodeScalars)
            return String(result)
        }
    }

    /// The UTF-8 bytes of `bytes` (well-formed UTF-8) normalized.
    func normalize(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        Array(normalize(String(decoding: bytes, as: UTF8.self)).utf8)
    }

    /// Whether `scalar` was assigned by ``unicodeVersion``.
    private static func isKnown(_ scalar: Unicode.Scalar) -> Bool {
        guard let age = scalar.properties.age else { return false }
        return age.major < unicodeVersion.major || (age.major == unicodeVersion.major && age.minor <= unicodeVersion.minor)
    }

    /// `text`, which holds only known scalars, normalized by Foundation.
    private func normalizeKnown(_ text: String) -> String {
        if text.isEmpty { return text }
        switch self {
        case .nfc: return text.precomposedStringWithCanonicalMapping
        case .nfd: return text.decomposedStringWithCanonicalMapping
        case .nfkc: return text.precomposedStringWithCompatibilityMapping
        case .nfkd: return text.decomposedStringWithCompatibilityMapping
        case .sequence: return normalize(text)
        }
    }
}
