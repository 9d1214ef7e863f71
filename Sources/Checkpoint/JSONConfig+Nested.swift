extension JSONConfig {
    /// The object at `key` as a config of its own (`rope_scaling`, `rope_parameters`), whose
    /// errors name `key.inner`; nil if absent or null; throws if not an object.
    public func optionalObject(_ key: String) throws(CheckpointError) -> JSONConfig? {
        let members: [String: JSONValue]? = try typed(key, "an object") { value in
            if case .object(let members) = value { members } else { nil }
        }
        return members.map { JSONConfig(values: $0, url: url, keyPrefix: keyPrefix + key + ".") }
    }

    /// The integer at `key`, or the first of a list of integers there (`eos_token_id` is a list
    /// in Llama 3 configs); nil if absent, null or an empty list.
    public func optionalFirstInt(_ key: String) throws(CheckpointError) -> Int? {
        if case .array(let items) = value(key) {
            guard let item = items.first else { return nil }
            return try JSONConfig(values: ["\(key)[0]": item], url: url, keyPrefix: keyPrefix).optionalInt("\(key)[0]")
        }
        return try optionalInt(key)
    }

    /// The list of strings at `key` (`layer_types`); nil if absent or null.
    public func optionalStrings(_ key: String) throws(CheckpointError) -> [String]? {
        try typed(key, "a list of strings") { value in
            guard case .array(let items) = value else { return nil }
            let strings = items.compactMap { item -> String? in if case .string(let s) = item { s } else { nil } }
            return strings.count == items.count ? strings : nil
        }
    }
}
