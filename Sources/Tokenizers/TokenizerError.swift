import Foundation
import SwiftSightReading

/// Why a tokenizer could not be loaded.
///
/// Every case names the file at fault and the key, line or value in it, so its
/// ``description`` can be shown to a user as is.
public enum TokenizerError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A file that the tokenizer needs does not exist.
    case missingFile(URL)
    /// A file exists but could not be read.
    case unreadableFile(URL, reason: String)
    /// A path names a folder, a FIFO, a device or a socket instead of a file; `kind` says which.
    case notARegularFile(URL, kind: String)
    /// A file is not valid JSON (or not valid UTF-8); `line` and `column` count from 1.
    case invalidJSON(URL, line: Int, column: Int, reason: String)
    /// A required key is absent; `key` is its full path, such as `model.vocab`.
    case missingKey(URL, key: String)
    /// A key holds a value of the wrong kind or out of range.
    case invalidValue(URL, key: String, expected: String, found: String)
    /// A key holds a well-formed value that this library does not implement.
    case unsupported(URL, key: String, value: String, supported: String)
    /// A merge names a token, or makes a token, that is not in the vocabulary.
    /// `location` is a key path such as `model.merges[12]` or a line such as `line 13`.
    case mergeTokenNotInVocabulary(URL, location: String, token: String)
    /// A line of `merges.txt` is not two tokens separated by one space; `line` counts from 1.
    case malformedMergesLine(URL, line: Int, content: String)
    /// A folder holds neither `tokenizer.json` nor both `vocab.json` and `merges.txt`.
    case noTokenizerFiles(directory: URL, detail: String)

    /// A message naming the file and the key, line or value at fault.
    public var description: String {
        switch self {
        case .missingFile(let url):
            return "\(url.path): file not found"
        case .unreadableFile(let url, let reason):
            return "\(url.path): cannot be read: \(reason)"
        case .notARegularFile(let url, let kind):
            return "\(url.path): not a regular file (it is \(kind)); give the tokenizer file itself"
        case .invalidJSON(let url, let line, let column, let reason):
            return "\(url.path): invalid JSON at line \(line), column \(column): \(reason)"
        case .missingKey(let url, let key):
            return "\(url.path): missing key \(key)"
        case .invalidValue(let url, let key, let expected, let found):
            return "\(url.path): \(key) should be \(expected), found \(found)"
        case .unsupported(let url, let key, let value, let supported):
            return "\(url.path): \(key) is \(value), which is not supported (supported: \(supported))"
        case .mergeTokenNotInVocabulary(let url, let location, let token):
            return "\(url.path): merge at \(location) needs token \(JSONValue.quoted(token)), which is not in the vocabulary"
        case .malformedMergesLine(let url, let line, let content):
            return "\(url.path): line \(line) should be two tokens separated by one space, found \(JSONValue.quoted(content))"
        case .noTokenizerFiles(let directory, let detail):
            return "\(directory.path): no tokenizer files (want tokenizer.json, or vocab.json with merges.txt): \(detail)"
        }
    }
}
