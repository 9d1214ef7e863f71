/// A parsed JSON document: the one JSON reader behind config.json, safetensors headers, shard
/// indexes and tokenizer files.
///
/// Written here rather than taken from `JSONDecoder`, which reads `96.0` as the integer 96
/// (the safetensors reader must refuse it), keeps the first of two duplicate keys (Python's
/// `json`, and so transformers, keep the last) and compares keys as Swift `String`s.
/// Objects keep every member in file order, duplicates included, with each key exactly as
/// written: canonically equivalent spellings such as `"\u00c5"` and `"\u212b"` stay two keys,
/// as vocabularies need. ``member(_:)`` resolves duplicates as Python does: the last wins.
package indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// A number written without fraction or exponent that fits in `Int`.
    case integer(Int)
    /// Any other number (`96.0`, `1e-5`, an integer too large for `Int`); `1e400` is infinity.
    case number(Double)
    case string(String)
    case array([JSONValue])
    /// Members in file order, duplicates included.
    case object([JSONMember])

    /// The value of member `key` (compared byte for byte, never by canonical equivalence) when
    /// this is an object that has it; of duplicate keys the last wins, as in Python's `json`.
    package func member(_ key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.last { $0.key.utf8.elementsEqual(key.utf8) }?.value
    }
}

/// One `"key": value` member of a JSON object.
package struct JSONMember: Sendable, Equatable {
    /// The key, exactly as written (after unescaping).
    package let key: String
    /// The value.
    package let value: JSONValue

    package init(key: String, value: JSONValue) {
        (self.key, self.value) = (key, value)
    }
}
