import ArgumentParser
import Foundation

/// Checks of option values that every command shares, each failing with a `ValidationError`
/// that names the option and the value, before a model is loaded or a file is touched.
///
/// ArgumentParser parses `--batch-size -5` or `--factor nan` happily; without these, such values
/// were silently clamped (`max(1, n)`), written nowhere (`--save ""`), or reached arithmetic
/// that traps.
enum OptionCheck {
    /// `value` is at least `minimum` (and at most `maximum` when given).
    static func count(_ value: Int, _ option: String, atLeast minimum: Int = 1, atMost maximum: Int? = nil) throws {
        guard value >= minimum else { throw ValidationError("\(option) must be at least \(minimum), got \(value)") }
        if let maximum, value > maximum { throw ValidationError("\(option) must be at most \(maximum), got \(value)") }
    }

    /// `value` is not empty (a prompt of one space is a token; an empty one is none).
    static func text(_ value: String, _ option: String) throws {
        guard !value.isEmpty else { throw ValidationError("\(option) is empty; give a value") }
    }

    /// `value` is a path that can name a file: not empty.
    static func path(_ value: String, _ option: String) throws {
        guard !value.isEmpty else { throw ValidationError("\(option) is empty; give a path") }
    }

    /// The comma-separated names of `value`, trimmed; none may be empty and there must be one.
    static func names(_ value: String, _ option: String) throws -> [String] {
        let names = value.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        guard !names.allSatisfy(\.isEmpty) else { throw ValidationError("\(option) \(value.debugDescription) names nothing") }
        guard !names.contains(where: \.isEmpty) else {
            throw ValidationError("\(option) \(value.debugDescription) has an empty name between commas")
        }
        return names
    }

    /// `value` is a finite number.
    static func finite(_ value: Float, _ option: String) throws {
        guard value.isFinite else { throw ValidationError("\(option) must be a finite number, got \(value)") }
    }
}

/// Whether `path` names the file this process's standard output goes to (`/dev/stdout`, or
/// the file stdout is redirected to): a command writing its result there must keep its own
/// summary line off standard output.
func isStandardOutput(_ path: String) -> Bool {
    var target = stat(), out = stat()
    return stat(path, &target) == 0 && fstat(STDOUT_FILENO, &out) == 0
        && target.st_dev == out.st_dev && target.st_ino == out.st_ino
}
