/// How text is changed before pre-tokenisation: the `normalizer` of a `tokenizer.json`.
/// GPT-2 has none; Qwen2 and GPT-NeoX use NFC; Llama 2 prepends `▁` and turns spaces into `▁`.
///
/// Hugging Face `tokenizers` normalizes with Unicode 9.0 data: a scalar assigned later has
/// no decomposition there, composes with nothing and has combining class 0. This type does
/// the same, running the Unicode normalization algorithm itself over
/// ``NormalizationTables`` (Foundation's own normalization is not used for whole strings: it
/// mis-orders some long runs of combining marks and does not compose conjoining jamo that
/// come from compatibility jamo).
indirect enum TextNormalizer: Sendable, Equatable {
    /// Canonical composition.
    case nfc
    /// Canonical decomposition.
    case nfd
    /// Compatibility composition.
    case nfkc
    /// Compatibility decomposition.
    case nfkd
    /// `Prepend`: puts `prefix` before the text unless the text is empty.
    case prepend(String)
    /// `Replace` with a string pattern: every occurrence of `pattern` (non-empty), leftmost
    /// first and not overlapping, becomes `content`.
    case replace(pattern: String, content: String)
    /// Several normalizers applied in turn.
    case sequence([TextNormalizer])

    /// `text` normalized.
    func normalize(_ text: String) -> String {
        let bytes = Array(text.utf8)
        let normalized = normalize(bytes[...])
        return normalized.elementsEqual(bytes) ? text : String(decoding: normalized, as: UTF8.self)
    }

    /// The UTF-8 bytes of `bytes` (well-formed UTF-8) normalized.
    func normalize(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        switch self {
        case .sequence(let steps):
            var current = Array(bytes)
            for step in steps { current = step.normalize(current[...]) }
            return current
        case .prepend(let prefix):
            guard !bytes.isEmpty else { return [] }
            return Array(prefix.utf8) + bytes
        case .replace(let pattern, let content):
            return Self.replacing(Array(pattern.utf8), with: Array(content.utf8), in: bytes)
        case .nfc, .nfd, .nfkc, .nfkd:
            if bytes.allSatisfy({ $0 < 0x80 }) { return Array(bytes) }
            let values = String(decoding: bytes, as: UTF8.self).unicodeScalars.map(\.value)
            var scalars = String.UnicodeScalarView()
            scalars.append(contentsOf: normalize(values).compactMap(Unicode.Scalar.init))
            return Array(String(scalars).utf8)
        }
    }

    /// Scalar values normalized by a Unicode normalization form (other cases return them as
    /// they are; they are handled on bytes).
    func normalize(_ values: [UInt32]) -> [UInt32] {
        switch self {
        case .sequence(let steps):
            return steps.reduce(values) { $1.normalize($0) }
        case .prepend, .replace:
            return values
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

    /// `bytes` with each occurrence of `pattern` replaced. Both are well-formed UTF-8, so a
    /// byte match is a match of whole scalars.
    static func replacing(_ pattern: [UInt8], with content: [UInt8], in bytes: ArraySlice<UInt8>) -> [UInt8] {
        guard let first = pattern.first, bytes.count >= pattern.count else { return Array(bytes) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 4)
        var index = bytes.startIndex
        let last = bytes.endIndex - pattern.count
        while index < bytes.endIndex {
            if index <= last, bytes[index] == first, bytes[index..<(index + pattern.count)].elementsEqual(pattern) {
                out.append(contentsOf: content)
                index += pattern.count
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return out
    }
}
