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

extension JSONConfig {
    /// The run-length list at `key`, `[[[strings], count], …]` (GPT-Neo's `attention_types`),
    /// expanded as transformers does: each group's strings repeated `count` times, in order; nil if
    /// absent or null. The count is capped by `limit` so a hostile file cannot make a huge list.
    package func optionalRepeatedStringGroups(_ key: String, limit: Int) throws(CheckpointError) -> [String]? {
        let groups: [([String], Int)]? = try typed(key, "a list of [[strings], count] pairs") { value in
            guard case .array(let items) = value else { return nil }
            let pairs = items.compactMap { item -> ([String], Int)? in
                guard case .array(let pair) = item, pair.count == 2, case .array(let names) = pair[0],
                      case .integer(let count) = pair[1], count >= 0 else { return nil }
                let strings = names.compactMap { name -> String? in if case .string(let s) = name { s } else { nil } }
                return strings.count == names.count ? (strings, count) : nil
            }
            return pairs.count == items.count ? pairs : nil
        }
        guard let groups else { return nil }
        var expanded: [String] = []
        for (names, count) in groups {
            let (total, overflow) = names.count.multipliedReportingOverflow(by: count)
            guard !overflow, expanded.count + total <= limit else {
                throw invalid(key, count, "expands to more than \(limit) entries")
            }
            for _ in 0..<count { expanded += names }
        }
        return expanded
    }
}
