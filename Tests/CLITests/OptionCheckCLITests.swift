import Foundation
import Testing

/// Odd values of every command's options are refused with a message naming the option and the
/// value, before anything is loaded or written; none of them traps.
@Suite struct OptionCheckCLITests {
    static let out = FileManager.default.temporaryDirectory.appendingPathComponent("never-\(UUID().uuidString)").path

    /// Arguments, and what the error must say.
    static let refused: [([String], [String])] = [
        (["dump", "--prompts", "p.txt", "--at", "layers_output.0", "--out", ""], ["--out", "empty"]),
        (["dump", "--prompts", "", "--at", "layers_output.0", "--out", out], ["--prompts", "empty"]),
        (["dump", "--prompts", "p.txt", "--at", ",", "--out", out], ["--at", "\",\""]),
        (["dump", "--prompts", "p.txt", "--at", "layers_output.0", "--out", out, "--batch-size", "0"], ["--batch-size", "0"]),
        (["dump", "--prompts", "p.txt", "--at", "layers_output.0", "--out", out, "--batch-size=-5"], ["--batch-size", "-5"]),
        (["dump", "--prompts", "p.txt", "--at", "layers_output.0", "--out", out, "--shard-tokens", "0"], ["--shard-tokens", "0"]),
        (["dump", "--prompts", "p.txt", "--at", "layers_output.0", "--out", out, "--shard-megabytes", "9223372036854775807"],
         ["--shard-megabytes", "9223372036854775807"]),
        (["trace", "--prompt", "x", "--save", "", "--out", out], ["--save", "names nothing"]),
        (["trace", "--prompt", "x", "--save", ",", "--out", out], ["--save", "\",\""]),
        (["trace", "--prompt", "x", "--save", "layers_output.0,,logits", "--out", out], ["--save", "empty name"]),
        (["trace", "--prompt", "x", "--cache", " , ", "--out", out], ["--cache"]),
        (["trace", "--prompt", "", "--save", "logits", "--out", out], ["--prompt", "empty"]),
        (["trace", "--prompt", "x", "--save", "logits", "--out", ""], ["--out", "empty"]),
        (["trace", "--prompt", "x", "--save", "logits", "--stop-after", "", "--out", out], ["--stop-after", "empty"]),
        (["run", "--model", "", "x"], ["--model", "empty"]),
        (["run", ""], ["prompt", "empty"]),
        (["generate", "--prompt", "x", "--max-new-tokens=-1"], ["--max-new-tokens", "-1"]),
        (["generate", "--prompt", "x", "--max-new-tokens", "9223372036854775807"], ["--max-new-tokens", "9223372036854775807", "at most"]),
        (["generate", "--prompt", "x", "--max-new-tokens", "3", "--temperature", "nan"], ["--temperature", "nan"]),
        (["generate", "--prompt", "x", "--max-new-tokens", "3", "--temperature", "0"], ["--temperature", "0"]),
        (["generate", "--prompt", "x", "--max-new-tokens", "3", "--temperature", "inf"], ["--temperature", "inf"]),
        (["generate", "--prompt", "x", "--max-new-tokens", "3", "--top-k", "0"], ["--top-k", "0"]),
        (["generate", "--prompt", "x", "--max-new-tokens", "3", "--top-p", "nan"], ["--top-p", "nan"]),
        (["generate", "--prompt", "x", "--max-new-tokens", "3", "--top-p", "1.5"], ["--top-p", "1.5"]),
        (["generate", "--prompt", "x", "--max-new-tokens", "3", "--stop-token=-2"], ["--stop-token", "-2"]),
        (["generate", "--prompt", "x", "--max-new-tokens", "3", "--stop-token", "99999999"], ["--stop-token", "99999999"]),
        (["steer", "--prompt", "x", "--layer", "0", "--from", "a", "--to", "b", "--factor", "nan"], ["--factor", "nan"]),
        (["steer", "--prompt", "x", "--layer", "0", "--from", "a", "--to", "b", "--factor=-inf"], ["--factor", "-inf"]),
        (["steer", "--prompt", "x", "--layer", "0", "--from", "", "--to", "b"], ["--from", "empty"]),
        (["steer", "--prompt", "x", "--layer", "0", "--from", "a", "--to", "b", "--top", "0"], ["--top", "0"]),
        (["steer", "--prompt", "x", "--layer", "9223372036854775807", "--from", "a", "--to", "b"], ["--layer", "9223372036854775807"]),
        (["logit-lens", "--prompt", "x", "--top", "0"], ["--top", "0"]),
        (["logit-lens", "--prompt", "x", "--plot", ""], ["--plot", "empty"]),
        (["patch", "--clean", "a", "--corrupted", "b", "--target", "c", "--trap", "d", "--batch-size=-1"], ["--batch-size", "-1"]),
        (["patch", "--clean", "a", "--corrupted", "b", "--target", "", "--trap", "d"], ["--target", "empty"]),
        (["bench", "--runs", "0"], ["--runs", "0"]),
        (["bench", "--warmup=-1"], ["--warmup", "-1"]),
        (["bench", "--runs", "9223372036854775807"], ["--runs", "9223372036854775807"]),
        (["bench", "--cases", ","], ["--cases"]),
        (["bench-gemm", "--warmup=-20"], ["--warmup", "-20"]),
        (["bench-gemm", "--runs", "9223372036854775807", "--warmup", "9"], ["--runs"]),
        (["bench-gemm", "--rows", "10000000000"], ["--rows", "10000000000"]),
        (["bench-gemm", "--rows", "8,,16"], ["--rows"]),
    ]

    @Test(arguments: refused)
    func refusedNamingTheOption(arguments: [String], message: [String]) throws {
        let r = try CLI.run(arguments)
        #expect(r.status != 0 && !r.crashed, "\(arguments): status \(r.status)")
        for part in message { #expect(r.err.contains(part), "\(arguments): \(r.err)") }
        #expect(!FileManager.default.fileExists(atPath: Self.out))
    }
}
