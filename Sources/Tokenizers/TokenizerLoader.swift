import Foundation
import SwiftSightReading

/// Finds and loads the tokenizer of a Hugging Face checkpoint folder.
package enum TokenizerLoader {
    /// Loads the tokenizer in `directory`: from `tokenizer.json` when there is one, else from
    /// `vocab.json` and `merges.txt`.
    ///
    /// The pipeline is the one the `tokenizer.json` describes (see
    /// ``BPETokenizer/init(tokenizerJSON:)``): byte-level BPE for GPT-2, GPT-NeoX, Llama 3 and
    /// Qwen2 files, SentencePiece-style BPE with byte fallback for Llama 2 and Mistral files.
    ///
    /// When the folder's `tokenizer_config.json` names an `eos_token` that the tokenizer has,
    /// that token becomes ``Tokenizer/endOfTextID`` (Llama's `</s>` or `<|end_of_text|>`,
    /// an instruct model's `<|im_end|>`); otherwise it is `<|endoftext|>` when there is one.
    /// - Throws: ``TokenizerError/noTokenizerFiles(directory:detail:)`` naming the folder
    ///   when it has neither, or the error of the files it has, naming the file and the key of
    ///   anything it does not support.
    package static func load(directory: URL) throws(TokenizerError) -> any Tokenizer {
        switch FolderCheck(directory) {
        case .folder: break
        case .missing: throw TokenizerError.noTokenizerFiles(directory: directory, detail: "the folder does not exist")
        case .notAFolder: throw TokenizerError.noTokenizerFiles(directory: directory, detail: "it is a file, not a folder")
        }
        let exists = { (name: String) in FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).path) }
        var tokenizer: BPETokenizer
        if exists("tokenizer.json") {
            tokenizer = try BPETokenizer(tokenizerJSON: directory.appendingPathComponent("tokenizer.json"))
        } else if exists("vocab.json") && exists("merges.txt") {
            tokenizer = try BPETokenizer(
                vocabJSON: directory.appendingPathComponent("vocab.json"),
                mergesTXT: directory.appendingPathComponent("merges.txt"))
        } else {
            let detail: String
            if exists("vocab.json") {
                detail = "vocab.json is there but merges.txt is missing"
            } else if exists("merges.txt") {
                detail = "merges.txt is there but vocab.json is missing"
            } else {
                detail = "none of them is there"
            }
            throw TokenizerError.noTokenizerFiles(directory: directory, detail: detail)
        }
        if exists("tokenizer_config.json"), let eos = try endOfSequenceToken(in: directory.appendingPathComponent("tokenizer_config.json")) {
            tokenizer.adoptEndOfTextToken(eos)
        }
        return tokenizer
    }

    /// The `eos_token` of a `tokenizer_config.json`, written as a string or as an object with
    /// a `content`.
    static func endOfSequenceToken(in file: URL) throws(TokenizerError) -> String? {
        let config = try JSONValue.read(file)
        guard let eos = config.optionalMember("eos_token") else { return nil }
        switch eos.value {
        case .string(let token): return token
        case .object: return try eos.optionalMember("content")?.string()
        default: throw eos.mismatch(expected: "a token string or an object with a content")
        }
    }
}
