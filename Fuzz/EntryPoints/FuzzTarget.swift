import SwiftSightCheckpoint
import Foundation
import SwiftSightTokenizers

/// A reader of untrusted files that the fuzzers drive, and the one way each reads its input.
///
/// The libFuzzer executables (`Fuzz/<Target>/`, declared only when `SWIFTSIGHT_FUZZ` is set) and
/// the normal suite's `FuzzCorpusTests` call the same ``run(_:)``: the suite replays the
/// committed seed corpus and every crash the fuzzers have found through exactly the code the
/// fuzzers ran, so a fixed crash stays fixed in CI without libFuzzer. See Docs/Fuzzing.md.
package enum FuzzTarget: String, CaseIterable, Sendable {
    /// A `model.safetensors` file: header validation, then every tensor read back.
    case safetensorsHeader = "safetensors-header"
    /// A `config.json`: JSON parsing, then the architecture configuration its `model_type` names
    /// (without weights).
    case config
    /// A `tokenizer.json`: parsing, construction of the pipeline, then encoding and decoding a
    /// short text.
    case tokenizer

    /// What a reader made of one input. Any other end (a trap, an allocation failure, a hang)
    /// is what the fuzzers look for.
    package enum Outcome: Sendable {
        /// The input was accepted; a short summary of what was read.
        case accepted(String)
        /// The input was refused with the reader's typed error (`CheckpointError`, `TokenizerError`).
        case refused(any Error & Sendable)
    }

    /// The executable target (and product) of this fuzzer: `Fuzz/<name>/`.
    package var executableName: String {
        switch self {
        case .safetensorsHeader: "FuzzSafetensorsHeader"
        case .config: "FuzzConfig"
        case .tokenizer: "FuzzTokenizer"
        }
    }

    /// Reads `input` as this target's file.
    package func run(_ input: UnsafeRawBufferPointer) -> Outcome {
        switch self {
        case .safetensorsHeader: Self.outcome { () throws(CheckpointError) in try SafetensorsInput.read(input) }
        case .config: Self.outcome { () throws(CheckpointError) in try ConfigInput.read(input) }
        case .tokenizer: Self.outcome { () throws(TokenizerError) in try TokenizerInput.read(input) }
        }
    }

    /// Reads `input` as this target's file.
    package func run(_ input: [UInt8]) -> Outcome {
        input.withUnsafeBytes { run($0) }
    }

    private static func outcome<E: Error & Sendable>(_ body: () throws(E) -> String) -> Outcome {
        do {
            return .accepted(try body())
        } catch {
            return .refused(error)
        }
    }
}
