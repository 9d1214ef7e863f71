import Foundation
import SwiftSightReading

/// A model's config.json, with typed getters whose errors name the file and the key.
///
/// A key whose value is JSON `null` counts as absent, as it does in `transformers`.
/// Integers are accepted where a double is asked for; an integral number written with a
/// fraction (`64.0`) is accepted as an integer. Anything else of the wrong type is an error
/// naming the value found and the type expected.
package struct JSONConfig: Sendable {
    /// The file read.
    package let url: URL
    /// Prefix of every key in error messages: `rope_scaling.` for a nested object, else empty.
    package let keyPrefix: String
    let values: [String: JSONValue]

    /// The object `values`, read from `url`, whose keys are named `keyPrefix + key` in errors.
    init(values: [String: JSONValue], url: URL, keyPrefix: String) {
        (self.values, self.url, self.keyPrefix) = (values, url, keyPrefix)
    }

    /// Reads and parses the file at `url`, whose top level must be a JSON object.
    package init(url: URL) throws(CheckpointError) {
        let data = try MappedFile.contents(of: url.path)
        try self.init(data: data, url: url)
    }

    /// Parses `data` as though read from `url` (which is used only in error messages).
    package init(data: Data, url: URL) throws(CheckpointError) {
        self.url = url
        keyPrefix = ""
        switch JSONValue.parseObjects(data) {
        case .success(let root):
            guard let members = root.dictionary else { throw .notAJSONObject(path: url.path, found: root.kindDescription) }
            values = members
        case .failure(let error):
            throw .invalidJSON(path: url.path, detail: error.detail)
        }
    }

    /// Every key in the file, sorted (including keys whose value is null).
    package var keys: [String] { values.keys.sorted() }

    /// Whether `key` is present with a non-null value.
    package func contains(_ key: String) -> Bool { value(key) != nil }

    // MARK: Int

    /// The integer at `key`; throws if absent, null or not an integer.
    package func int(_ key: String) throws(CheckpointError) -> Int { try required([key], optionalInt) }
    /// The integer at `key`, or `defaultValue` if absent or null; throws if not an integer.
    package func int(_ key: String, default defaultValue: Int) throws(CheckpointError) -> Int { try optionalInt(key) ?? defaultValue }
    /// The integer at the first of `keys` present and non-null (for example
    /// `["n_embd", "hidden_size"]`); throws if none is, or if that one is not an integer.
    package func int(anyOf keys: [String]) throws(CheckpointError) -> Int { try required(keys, optionalInt) }
    /// The integer at `key`, or nil if absent or null; throws if not an integer.
    package func optionalInt(_ key: String) throws(CheckpointError) -> Int? {
        try typed(key, "an integer") { value in
            switch value {
            case .integer(let number): number
            case .number(let number): Int(exactly: number)
            default: nil
            }
        }
    }

    // MARK: Double

    /// The number at `key`; throws if absent, null or not a number.
    package func double(_ key: String) throws(CheckpointError) -> Double { try required([key], optionalDouble) }
    /// The number at `key`, or `defaultValue` if absent or null; throws if not a number.
    package func double(_ key: String, default defaultValue: Double) throws(CheckpointError) -> Double { try optionalDouble(key) ?? defaultValue }
    /// The number at the first of `keys` present and non-null; throws if none is, or if not a number.
    package func double(anyOf keys: [String]) throws(CheckpointError) -> Double { try required(keys, optionalDouble) }
    /// The number at `key`, or nil if absent or null; throws if not a number.
    package func optionalDouble(_ key: String) throws(CheckpointError) -> Double? {
        try typed(key, "a number") { value in
            switch value {
            case .integer(let number): Double(number)
            case .number(let number): number
            default: nil
            }
        }
    }

    // MARK: String

    /// The string at `key`; throws if absent, null or not a string.
    package func string(_ key: String) throws(CheckpointError) -> String { try required([key], optionalString) }
    /// The string at `key`, or `defaultValue` if absent or null; throws if not a string.
    package func string(_ key: String, default defaultValue: String) throws(CheckpointError) -> String { try optionalString(key) ?? defaultValue }
    /// The string at the first of `keys` present and non-null; throws if none is, or if not a string.
    package func string(anyOf keys: [String]) throws(CheckpointError) -> String { try required(keys, optionalString) }
    /// The string at `key`, or nil if absent or null; throws if not a string.
    package func optionalString(_ key: String) throws(CheckpointError) -> String? {
        try typed(key, "a string") { value in
            if case .string(let text) = value { text } else { nil }
        }
    }

    // MARK: Bool

    /// The boolean at `key`; throws if absent, null or not a boolean.
    package func bool(_ key: String) throws(CheckpointError) -> Bool { try required([key], optionalBool) }
    /// The boolean at `key`, or `defaultValue` if absent or null; throws if not a boolean.
    package func bool(_ key: String, default defaultValue: Bool) throws(CheckpointError) -> Bool { try optionalBool(key) ?? defaultValue }
    /// The boolean at the first of `keys` present and non-null; throws if none is, or if not a boolean.
    package func bool(anyOf keys: [String]) throws(CheckpointError) -> Bool { try required(keys, optionalBool) }
    /// The boolean at `key`, or nil if absent or null; throws if not a boolean.
    package func optionalBool(_ key: String) throws(CheckpointError) -> Bool? {
        try typed(key, "a boolean (true or false)") { value in
            if case .bool(let flag) = value { flag } else { nil }
        }
    }

    // MARK: Errors for callers

    /// An error for a value of the right type that the model cannot use, such as
    /// `invalid("n_head", 5, "must divide n_embd = 64")`.
    package func invalid(_ key: String, _ value: some CustomStringConvertible, _ reason: String) -> CheckpointError {
        .invalidConfigValue(path: url.path, key: keyPrefix + key, value: value.description, reason: reason)
    }

    /// An error for a `model_type` (or architecture name) that is not implemented.
    package func unsupportedModelType(_ value: String, supported: [String]) -> CheckpointError {
        .unsupportedModelType(path: url.path, value: value, supported: supported)
    }

    // MARK: Lookup

    /// The value at `key`, treating null as absent.
    func value(_ key: String) -> JSONValue? {
        guard let found = values[key], found != .null else { return nil }
        return found
    }

    /// The value at `key` converted by `convert`, nil if absent; a failed conversion throws.
    func typed<T>(_ key: String, _ expected: String, _ convert: (JSONValue) -> T?) throws(CheckpointError) -> T? {
        guard let found = value(key) else { return nil }
        guard let converted = convert(found) else {
            throw .wrongConfigType(path: url.path, key: keyPrefix + key, found: "\(found.kindDescription) \(found.shortText)", expected: expected)
        }
        return converted
    }

    /// The first of `keys` that `lookup` finds, or a missing-field error naming them all.
    private func required<T>(_ keys: [String], _ lookup: (String) throws(CheckpointError) -> T?) throws(CheckpointError) -> T {
        for key in keys {
            if let found = try lookup(key) { return found }
        }
        throw .missingConfigField(path: url.path, keys: keys.map { keyPrefix + $0 })
    }
}
