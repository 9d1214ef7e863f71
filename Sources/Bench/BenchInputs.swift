import SwiftSight

/// Fixed text for benchmarks; Scripts/bench_common.py has the same.
enum BenchText {
    static let text = """
        The transformer reads tokens, mixes them with attention, and writes logits for the next token. \
        Attention heads look back at earlier positions; the MLP stores facts; the residual stream carries it all. \
        My tailor is rich, and the quick brown fox jumps over the lazy dog while the model predicts every word.
        """
    static let short = "My tailor is rich"
}

/// The token ids of every case's prompts: the `inputs` of both sides' JSON.
struct BenchInputIDs: Codable, Equatable, Sendable {
    var short: [Int]
    var slice128: [Int]
    var batch8x64: [[Int]]
    var prompts32x64: [[Int]]
    var prompts256x64: [[Int]]

    enum CodingKeys: String, CodingKey {
        case short, slice128 = "slice_128", batch8x64 = "batch_8x64"
        case prompts32x64 = "prompts_32x64", prompts256x64 = "prompts_256x64"
    }

    /// The first difference from `other`, as (key, prompt index), or nil if equal.
    func firstDifference(from other: BenchInputIDs) -> (key: String, prompt: Int)? {
        if short != other.short { return ("short", 0) }
        if slice128 != other.slice128 { return ("slice_128", 0) }
        for (key, mine, theirs) in [("batch_8x64", batch8x64, other.batch8x64),
                                    ("prompts_32x64", prompts32x64, other.prompts32x64),
                                    ("prompts_256x64", prompts256x64, other.prompts256x64)] where mine != theirs {
            return (key, zip(mine, theirs).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(mine.count, theirs.count))
        }
        return nil
    }
}

/// The prompts of the cases. SwiftSight's traces take strings, so each slice of the bench text's
/// ids is decoded, and checked to tokenize back to the same ids.
struct BenchInputs: Sendable {
    let ids: BenchInputIDs
    let short: String
    let slice128: String
    let batch8x64: [String]
    let prompts32x64: [String]
    let prompts256x64: [String]

    init(model: StandardizedTransformer) throws(BenchError) {
        let text = model.tokenize(BenchText.text)
        let tokenizer = model.tokenizer
        func slice(_ n: Int, _ offset: Int = 0) -> [Int] { (0..<n).map { text[($0 + offset) % text.count] } }
        func prompt(_ ids: [Int]) throws(BenchError) -> String {
            let string = tokenizer.decode(ids)
            let again = tokenizer.encode(string)
            guard again == ids else { throw .promptDoesNotRoundTrip(ids: ids, again: again) }
            return string
        }
        func prompts(_ all: [[Int]]) throws(BenchError) -> [String] {
            var out: [String] = []
            for ids in all { out.append(try prompt(ids)) }
            return out
        }
        ids = BenchInputIDs(short: model.tokenize(BenchText.short), slice128: slice(128),
                            batch8x64: (0..<8).map { slice(64, $0) }, prompts32x64: (0..<32).map { slice(64, $0) },
                            prompts256x64: (0..<256).map { slice(64, $0) })
        short = try prompt(ids.short)
        slice128 = try prompt(ids.slice128)
        batch8x64 = try prompts(ids.batch8x64)
        prompts32x64 = try prompts(ids.prompts32x64)
        prompts256x64 = try prompts(ids.prompts256x64)
    }
}
