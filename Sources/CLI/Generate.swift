import ArgumentParser
import Foundation
import SwiftSight

struct Generate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Continue a prompt: greedy, or sampled when any sampling option is given.",
        discussion: "Without --json the new text is printed as it is generated. With --json, one line: "
            + "{\"ids\": [new token ids], \"text\": \"...\"}. Generation stops at end-of-text, at a --stop-token, "
            + "or after --max-new-tokens.")

    @OptionGroup var options: ModelOptions
    @Option(help: "The prompt.") var prompt: String
    @Option(name: .customLong("max-new-tokens"), help: "Most new tokens to generate.") var maxNewTokens: Int
    @Option(help: "Sampling temperature (> 0).") var temperature: Float?
    @Option(name: .customLong("top-k"), help: "Sample among the K most likely tokens.") var topK: Int?
    @Option(name: .customLong("top-p"), help: "Sample among the most likely tokens whose probabilities sum to P, in (0, 1].")
    var topP: Float?
    @Option(help: "Seed of the sampling generator (same seed, same tokens).") var seed: UInt64?
    @Option(name: .customLong("stop-token"), help: "Also stop after this token id (repeatable).") var stopToken: [Int] = []
    @Flag(help: "Print one JSON line with the new ids and text.") var json = false

    /// Sampling options, or nil for greedy.
    var sampling: Sampling? {
        guard temperature != nil || topK != nil || topP != nil || seed != nil else { return nil }
        return Sampling(temperature: temperature ?? 1, topK: topK, topP: topP, seed: seed ?? 0)
    }

    func validate() throws {
        try OptionCheck.text(prompt, "--prompt")
        try OptionCheck.count(maxNewTokens, "--max-new-tokens", atLeast: 0)
        if let temperature {
            guard temperature > 0, temperature.isFinite else {
                throw ValidationError("--temperature must be a finite number greater than 0, got \(temperature)")
            }
        }
        if let topK { try OptionCheck.count(topK, "--top-k") }
        if let topP, !(topP > 0 && topP <= 1) { throw ValidationError("--top-p must be in (0, 1], got \(topP)") }
        for id in stopToken { try OptionCheck.count(id, "--stop-token", atLeast: 0) }
    }

    func run() async throws {
        let model = try await options.load()
        // Checked here by subtraction: `tokens + maxNewTokens` overflows for absurd counts.
        let promptTokens = model.tokenize(prompt).count
        let room = model.info.maxPositions - promptTokens
        guard maxNewTokens <= room else {
            throw ValidationError("--max-new-tokens \(maxNewTokens) does not fit: the prompt has \(promptTokens) tokens "
                + "and the model \(model.info.maxPositions) positions; ask for at most \(max(0, room))")
        }
        if let bad = stopToken.first(where: { $0 >= model.vocabSize }) {
            throw ValidationError("--stop-token \(bad) is not a token id; the vocabulary has \(model.vocabSize) (0...\(model.vocabSize - 1))")
        }
        if json {
            let out = try await model.generate(prompt, maxNewTokens: maxNewTokens, sampling: sampling, stopTokens: stopToken)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(Output(ids: out.ids, text: out.text)), as: UTF8.self))
        } else {
            for try await token in model.generationStream(prompt, maxNewTokens: maxNewTokens, sampling: sampling,
                                                          stopTokens: stopToken) {
                FileHandle.standardOutput.write(Data(token.text.utf8))
            }
            print("")
        }
    }

    struct Output: Encodable {
        let ids: [Int]
        let text: String
    }
}
