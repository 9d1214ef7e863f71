import SwiftSightLayers

/// A prompt with the tokens to watch in its next-token distribution, by category (nnterp's
/// `Prompt`): typically a "target" (the right answer) and a "trap" (a tempting wrong one).
public struct Prompt: Sendable, Equatable {
    /// The prompt text.
    public let text: String
    /// Token ids per category; a category's probability is the sum over its tokens.
    public let targetTokens: [String: [Int]]

    /// A prompt watching the given tokens.
    public init(_ text: String, targetTokens: [String: [Int]]) {
        self.text = text
        self.targetTokens = targetTokens
    }
}

extension StandardizedTransformer {
    /// The first token of each word written as is and after a space ("w" and " w"), without
    /// duplicates, in order of first appearance (nnterp's `get_first_tokens`). Leading spaces of
    /// a word are ignored.
    public func firstTokens(of words: [String]) -> [Int] {
        var seen = Set<Int>(), tokens: [Int] = []
        for word in words {
            let bare = String(word.drop { $0 == " " })
            for variant in [bare, " " + bare] {
                if let first = tokenize(variant).first, seen.insert(first).inserted { tokens.append(first) }
            }
        }
        return tokens
    }

    /// A prompt whose "target" category is the first tokens of `target` and whose "trap"
    /// category is those of `trap` (see ``firstTokens(of:)``); the trap omits tokens of the target.
    public func prompt(_ text: String, target: [String], trap: [String] = []) -> Prompt {
        let targets = firstTokens(of: target)
        var categories = ["target": targets]
        if !trap.isEmpty { categories["trap"] = firstTokens(of: trap).filter { !targets.contains($0) } }
        return Prompt(text, targetTokens: categories)
    }

    /// Runs `prompts` in batches of `batchSize` and returns, for each category, the summed
    /// next-token probability of its tokens for every prompt, in prompt order (nnterp's
    /// `run_prompts`). A prompt without the category gets NaN.
    /// - Parameter progress: called after each batch with (prompts done, prompts in all).
    public func runPrompts(_ prompts: [Prompt], batchSize: Int = 8,
                           progress: (@Sendable (Int, Int) -> Void)? = nil) async throws -> [String: [Float]] {
        guard batchSize > 0 else { throw ToolkitError("runPrompts needs batchSize ≥ 1, got \(batchSize)") }
        for (index, prompt) in prompts.enumerated() {
            for (category, ids) in prompt.targetTokens.sorted(by: { $0.key < $1.key }) {
                if let bad = ids.first(where: { !(0..<vocabSize).contains($0) }) {
                    throw ToolkitError("prompt \(index) (\(prompt.text.debugDescription)): token \(bad) of category "
                        + "\(category.debugDescription) is outside the vocabulary (0..<\(vocabSize))")
                }
            }
        }
        let categories = Set(prompts.flatMap(\.targetTokens.keys))
        var result = Dictionary(uniqueKeysWithValues: categories.map { ($0, [Float]()) })
        let size = batchSize
        for start in stride(from: 0, to: prompts.count, by: size) {
            let batch = Array(prompts[start..<min(prompts.count, start + size)])
            let probs = try await nextTokenProbs(batch.map(\.text))
            probs.withUnsafeBuffer { p in
                for (i, prompt) in batch.enumerated() {
                    let row = p.baseAddress! + i * vocabSize
                    for category in categories {
                        let value = prompt.targetTokens[category].map { ids in ids.reduce(Float(0)) { $0 + row[$1] } } ?? .nan
                        result[category, default: []].append(value)
                    }
                }
            }
            progress?(start + batch.count, prompts.count)
        }
        return result
    }
}
