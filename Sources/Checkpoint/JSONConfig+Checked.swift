extension JSONConfig {
    /// The integer at the first of `keys` present and non-null, which must be positive;
    /// `defaultValue` when none is. Errors name the key actually read, so a bad `n_ctx` is not
    /// reported as `n_positions`.
    package func positiveInt(anyOf keys: [String], default defaultValue: Int? = nil) throws(CheckpointError) -> Int {
        for key in keys {
            guard let value = try optionalInt(key) else { continue }
            guard value > 0 else { throw invalid(key, value, "must be positive") }
            return value
        }
        if let defaultValue { return defaultValue }
        throw .missingConfigField(path: url.path, keys: keys.map { keyPrefix + $0 })
    }

    /// The positive integer at `key`, or `defaultValue` when absent (required when nil).
    package func positiveInt(_ key: String, default defaultValue: Int? = nil) throws(CheckpointError) -> Int {
        try positiveInt(anyOf: [key], default: defaultValue)
    }

    /// The finite number at `key` (JSON's `1e400` reads as infinity), or `defaultValue`.
    package func finiteDouble(_ key: String, default defaultValue: Double? = nil) throws(CheckpointError) -> Double {
        guard let value = try optionalDouble(key) else {
            if let defaultValue { return defaultValue }
            throw .missingConfigField(path: url.path, keys: [keyPrefix + key])
        }
        guard value.isFinite else { throw invalid(key, value, "must be a finite number") }
        return value
    }

    /// The finite positive number at `key`, or `defaultValue`.
    package func positiveDouble(_ key: String, default defaultValue: Double? = nil) throws(CheckpointError) -> Double {
        let value = try finiteDouble(key, default: defaultValue)
        guard value > 0 else { throw invalid(key, value, "must be positive") }
        return value
    }

    /// A normalization epsilon: a finite, non-negative number that stays finite in Float32
    /// (1e300 would become infinity and every normalized value NaN).
    package func epsilon(_ key: String, default defaultValue: Double) throws(CheckpointError) -> Float {
        let value = try finiteDouble(key, default: defaultValue)
        guard value >= 0, Float(value).isFinite else {
            throw invalid(key, value, "must be a small non-negative number (a Float32 epsilon such as 1e-5)")
        }
        return Float(value)
    }

    /// `a · b`, or an error naming `key` (whose value is `a` or `b`) when the product does not
    /// fit in `Int`: sizes computed from a config must never trap.
    package func product(_ a: Int, _ b: Int, key: String, value: Int, _ what: String) throws(CheckpointError) -> Int {
        let (result, overflow) = a.multipliedReportingOverflow(by: b)
        guard !overflow else { throw invalid(key, value, "\(what) (\(a) × \(b)) does not fit in a 64-bit integer") }
        return result
    }
}
