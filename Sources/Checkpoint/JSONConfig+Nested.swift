import SwiftSightReading

extension JSONConfig {
    /// The object at `key` as a config of its own (`rope_scaling`, `rope_parameters`), whose
    /// errors name `key.inner`; nil if absent or null; throws if not an object.
    package func optionalObject(_ key: String) throws(CheckpointError) -> JSONConfig? {
        let members: [String: JSONValue]? = try typed(key, "an object") { value in
            value.dictionary
        }
        return members.map { JSONConfig(values: $0, url: url, keyPrefix: keyPrefix + key + ".") }
    }

    /// The integers at `key`: one integer, or a list of them (`eos_token_id`); nil if absent or null.
    package func optionalInts(_ key: String) throws(CheckpointError) -> [Int]? {
        try typed(key, "an integer or a list of integers") { value in
            switch value {
            case .integer(let n): return [n]
            case .array(let items):
                let ints = items.compactMap { item -> Int? in if case .integer(let n) = item { n } else { nil } }
                return ints.count == items.count ? ints : nil
            default: return nil
            }
        }
    }

    /// The list of strings at `key` (`layer_types`); nil if absent or null.
    package func optionalStrings(_ key: String) throws(CheckpointError) -> [String]? {
        try typed(key, "a list of strings") { value in
            guard case .array(let items) = value else { return nil }
            let strings = items.compactMap { item -> String? in if case .string(let s) = item { s } else { nil } }
            return strings.count == items.count ? strings : nil
        }
    }
}
