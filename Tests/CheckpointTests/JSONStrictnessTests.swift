import Foundation
import Testing
import SwiftSightCheckpoint

/// What the JSON reader accepts where the references differ from `JSONDecoder`: duplicate keys
/// (the last wins, as in Python's `json` and so transformers) and integral floats (a double,
/// never an integer, in a safetensors header, as the Rust safetensors reader insists).
@Suite struct JSONStrictnessTests {
    let directory: TemporaryDirectory
    init() throws { directory = try TemporaryDirectory() }

    private func config(_ text: String) throws -> JSONConfig {
        try JSONConfig(url: directory.write("config.json", text: text))
    }

    /// Checked with Python 3:
    /// `python3 -c 'import json; print(json.loads("{\"n_layer\": 3, \"n_layer\": 99}"))'` prints
    /// `{'n_layer': 99}` (and `{"a":1,"a":2}` gives `{'a': 2}`): the last duplicate wins.
    @Test func duplicateKeysLastWinsAsInPython() throws {
        let c = try config("{\"n_layer\": 3, \"n_layer\": 99, \"a\": 1, \"a\": 2}")
        #expect(try c.int("n_layer") == 99)
        #expect(try c.int("a") == 2)
    }

    /// Python: `json.loads('{"r": {"factor": 2.0, "factor": 8.0}, "x": null, "x": 5}')` gives
    /// `{'r': {'factor': 8.0}, 'x': 5}`: the same in nested objects, and null is not special.
    @Test func duplicateKeysInNestedObjectsAndAfterNull() throws {
        let c = try config("{\"r\": {\"factor\": 2.0, \"factor\": 8.0}, \"x\": null, \"x\": 5, \"y\": 5, \"y\": null}")
        #expect(try c.optionalObject("r")?.double("factor") == 8)
        #expect(try c.int("x") == 5)
        #expect(try c.optionalInt("y") == nil)
    }

    /// Python reads `1e400` as inf; a config getter that needs a finite number names the key.
    @Test func overflowingNumberIsInfinityAndRefusedByFiniteGetters() throws {
        let c = try config("{\"rope_theta\": 1e400, \"n\": 99999999999999999999}")
        #expect(try c.double("rope_theta") == .infinity)
        let error = caught { () throws(CheckpointError) in try c.finiteDouble("rope_theta") }
        #expect(error == .invalidConfigValue(path: directory.file("config.json").path, key: "rope_theta", value: "inf",
                                             reason: "must be a finite number"))
        // An integer too large for Int64 is a number, not an integer.
        expectMessage(caught { () throws(CheckpointError) in try c.int("n") }, contains: ["\"n\"", "an integer"])
    }

    @Test(arguments: ["{\"a\": 1,}", "{'a': 1}", "{\"a\": NaN}", "{\"a\": 01}", "{\"a\": \"\\x\"}", "{\"a\": 1} {}"])
    func invalidJSONSaysWhere(text: String) throws {
        let url = try directory.write("config.json", text: text)
        let error = caught { () throws(CheckpointError) in try JSONConfig(url: url) }
        guard case .invalidJSON(_, let detail) = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(detail.contains("line 1, column"), "\(detail)")
    }

    /// "\u00c5" and "\u212b" are distinct keys to Python but one to a Swift dictionary: refused.
    @Test func canonicallyEquivalentKeysAreRefused() throws {
        let url = try directory.write("config.json", text: #"{"\u00c5": 1, "\u212b": 2}"#)
        let error = caught { () throws(CheckpointError) in try JSONConfig(url: url) }
        guard case .invalidJSON(_, let detail) = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(detail.contains("Unicode normalization"))
    }

    @Test func escapesAndUnicodeDecode() throws {
        let c = try config(#"{"s": "a\"b\\c\/\n\u00e9\ud83d\ude00", "\u006b": 1}"#)
        #expect(try c.string("s") == "a\"b\\c/\né😀")
        #expect(try c.int("k") == 1)
    }

    /// serde_json refuses `96.0` for a `usize`, so the Rust safetensors reader refuses the file.
    @Test(arguments: [
        "\"shape\":[1.0],\"data_offsets\":[0,4]", "\"shape\":[1e0],\"data_offsets\":[0,4]",
        "\"shape\":[1],\"data_offsets\":[0.0,4]", "\"shape\":[1],\"data_offsets\":[0,4.0]",
    ])
    func integralFloatsInAHeaderAreRefused(fields: String) throws {
        let url = try directory.write("float.safetensors", safetensorsBytes(header: "{\"w\":{\"dtype\":\"F32\",\(fields)}}",
                                                                            data: floatBytes([1])))
        let error = caught { () throws(CheckpointError) in try SafetensorsFile(url: url) }
        guard case .malformedHeader(let file, let detail) = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(file == url.path && detail.contains("\"w\"") && detail.contains("integers"), "\(detail)")
        // The same header with integers opens.
        let good = try directory.write("good.safetensors", safetensorsBytes(
            header: "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", data: floatBytes([1])))
        #expect(try SafetensorsFile(url: good).tensor("w").scalars == [1])
    }

    /// A header naming a tensor twice keeps the last entry, like every other object read here.
    @Test func duplicateTensorInHeaderKeepsTheLast() throws {
        let header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
            + "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}"
        let url = try directory.write("dup.safetensors", safetensorsBytes(header: header, data: floatBytes([1, 2])))
        #expect(try SafetensorsFile(url: url).tensor("w").scalars == [2])
    }
}
