/// The character classes that pre-tokenisation regexes use, as the regex engines behind
/// Hugging Face `tokenizers` define them.
///
/// `\s` is the Unicode `White_Space` property; `\p{L}` and `\p{N}` are the general categories
/// Letter and Number. Those engines carry Unicode 16.0 tables, so scalars first assigned in a
/// later Unicode version (which Swift's own tables may know) are treated as unassigned: not
/// letters, not numbers.
enum ScalarClass: UInt8, Sendable {
    /// `\s`: White_Space.
    case whitespace
    /// `\p{L}`: Lu, Ll, Lt, Lm, Lo.
    case letter
    /// `\p{N}`: Nd, Nl, No.
    case number
    /// Anything else.
    case other

    /// The newest Unicode version whose assignments count.
    static let unicodeVersion: Unicode.Version = (major: 16, minor: 0)

    private static let asciiClasses: [ScalarClass] = (0..<128).map { value in
        guard let scalar = Unicode.Scalar(value) else { return .other }
        return classify(scalar)
    }

    /// The class of `scalar`.
    @inline(__always)
    static func of(_ scalar: Unicode.Scalar) -> ScalarClass {
        scalar.value < 128 ? asciiClasses[Int(scalar.value)] : classify(scalar)
    }

    /// The class of the scalar with value `value`, decoded by ``UTF8Scalars``.
    @inline(__always)
    static func of(value: UInt32) -> ScalarClass {
        if value < 128 { return asciiClasses[Int(value)] }
        guard let scalar = Unicode.Scalar(value) else { return .other }
        return classify(scalar)
    }

    private static func classify(_ scalar: Unicode.Scalar) -> ScalarClass {
        let properties = scalar.properties
        if properties.isWhitespace { return .whitespace }
        let result: ScalarClass
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            result = .letter
        case .decimalNumber, .letterNumber, .otherNumber:
            result = .number
        default:
            return .other
        }
        return isAssignedInReferenceVersion(properties) ? result : .other
    }

    /// Whether the scalar was assigned by ``unicodeVersion``.
    static func isAssignedInReferenceVersion(_ properties: Unicode.Scalar.Properties) -> Bool {
        guard let age = properties.age else { return false }
        return age.major < unicodeVersion.major
            || (age.major == unicodeVersion.major && age.minor <= unicodeVersion.minor)
    }

    /// Whether `scalar` is a word character as Rust's `regex` crate defines `\w`:
    /// Alphabetic, a mark, a decimal digit, connector punctuation or Join_Control.
    static func isWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value < 128 {
            let value = scalar.value
            return (value >= 0x30 && value <= 0x39) || (value >= 0x41 && value <= 0x5A)
                || (value >= 0x61 && value <= 0x7A) || value == 0x5F
        }
        let properties = scalar.properties
        guard isAssignedInReferenceVersion(properties) else { return false }
        if properties.isAlphabetic || properties.isJoinControl { return true }
        switch properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation:
            return true
        default:
            return false
        }
    }
}
