/// Unicode normalization applied to text before pre-tokenisation: the `normalizer` of a
/// `tokenizer.json`. GPT-2 has none; Qwen2 uses NFC.
///
/// Hugging Face `tokenizers` normalizes with Unicode 9.0 data: a scalar assigned later has
/// no decomposition there, composes with nothing and has combining class 0. This type does
/// the same, running the Unicode normalization algorithm itself over
/// ``NormalizationTables`` (Foundation's own normalization is not used for whole strings: it
/// mis-orders some long runs of combining marks and does not compose conjoining jamo that
/// come from compatibility jamo).
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

    /// `text` normalized.
    public func normalize(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return text }
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: normalize(text.unicodeScalars.map(\.value)).compactMap(Unicode.Scalar.init))
        return String(scalars)
    }

    /// The UTF-8 bytes of `bytes` (well-formed UTF-8) normalized.
    func normalize(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        if bytes.allSatisfy({ $0 < 0x80 }) { return Array(bytes) }
        return Array(normalize(String(decoding: bytes, as: UTF8.self)).utf8)
    }

    /// Scalar values normalized.
    func normalize(_ values: [UInt32]) -> [UInt32] {
        switch self {
        case .sequence(let steps):
            return steps.reduce(values) { $1.normalize($0) }
        case .nfd:
            return Self.decompose(values, compatibility: false)
        case .nfkd:
            return Self.decompose(values, compatibility: true)
        case .nfc:
            return Self.compose(Self.decompose(values, compatibility: false))
        case .nfkc:
            return Self.compose(Self.decompose(values, compatibility: true))
        }
    }
}
