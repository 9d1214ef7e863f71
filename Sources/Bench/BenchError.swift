/// What can go wrong in `swiftsight bench` besides the model itself.
enum BenchError: Error, CustomStringConvertible, Equatable {
    case promptDoesNotRoundTrip(ids: [Int], again: [Int])
    case unreadableReference(path: String, reason: String)
    case inputsDiffer(path: String, key: String, prompt: Int)
    case unknownCases([String], known: [String])
    case markdownNeedsReference

    var description: String {
        switch self {
        case .promptDoesNotRoundTrip(let ids, let again):
            "a bench prompt does not tokenize back to its ids: \(ids.prefix(12))... -> \(again.prefix(12))..."
        case .unreadableReference(let path, let reason):
            "cannot read the reference benchmark \(path): \(reason)"
        case .inputsDiffer(let path, let key, let prompt):
            "the reference benchmark \(path) ran other token ids: inputs.\(key), prompt \(prompt), differs from SwiftSight's (another checkpoint or tokenizer?)"
        case .unknownCases(let names, let known):
            "unknown case(s) \(names.joined(separator: ", ")); known: \(known.joined(separator: ", "))"
        case .markdownNeedsReference:
            "--markdown needs --compare REF.json (the table puts both sides side by side)"
        }
    }
}
