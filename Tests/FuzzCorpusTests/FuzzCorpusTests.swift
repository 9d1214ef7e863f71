import Foundation
import SwiftSightFuzzEntryPoints
import SwiftSightModels
import Testing

/// Every committed fuzz input, run through the code the fuzzers run (`FuzzTarget.run`), in the
/// normal suite: the seeds must keep reaching the readers' deep paths, and every crash the
/// fuzzers found must stay a typed error (Docs/Fuzzing.md).
@Suite struct FuzzCorpusTests {
    static let fuzzFolder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz")

    /// The files in `Fuzz/<kind>/<target>/`, sorted (none when the folder does not exist).
    static func inputs(_ kind: String, _ target: FuzzTarget) -> [URL] {
        let folder = fuzzFolder.appendingPathComponent(kind).appendingPathComponent(target.rawValue)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { folder.appendingPathComponent($0) }
    }

    @Test(arguments: FuzzTarget.allCases)
    func seedsAreReadWithoutCrashing(_ target: FuzzTarget) throws {
        let seeds = Self.inputs("Corpus", target)
        #expect(seeds.count >= 3, "Fuzz/Corpus/\(target.rawValue) should hold a few seeds")
        var accepted: [String] = []
        for seed in seeds {
            if case .accepted = target.run(Array(try Data(contentsOf: seed))) { accepted.append(seed.lastPathComponent) }
        }
        // Valid seeds let the fuzzer start from the paths past validation.
        #expect(accepted.count >= 2, "accepted seeds of \(target.rawValue): \(accepted)")
    }

    @Test(arguments: FuzzTarget.allCases)
    func crashesFoundByFuzzingAreTypedErrors(_ target: FuzzTarget) throws {
        for input in Self.inputs("Regressions", target) {
            switch target.run(Array(try Data(contentsOf: input))) {
            case .refused(let error):
                #expect(!"\(error)".isEmpty, "\(input.lastPathComponent)")
            case .accepted(let summary):
                Issue.record("\(target.rawValue)/\(input.lastPathComponent) was accepted (\(summary)); it should be refused")
            }
        }
    }

    /// The config target reads every `model_type` through the registry, so what keeps a new
    /// architecture fuzzed is a seed: each supported type needs one the target accepts.
    @Test func everySupportedModelTypeHasAnAcceptedConfigSeed() throws {
        var covered: Set<String> = []
        for seed in Self.inputs("Corpus", .config) {
            let bytes = try Data(contentsOf: seed)
            guard case .accepted = FuzzTarget.config.run(Array(bytes)),
                  let object = try? JSONSerialization.jsonObject(with: bytes) as? [String: Any],
                  let modelType = object["model_type"] as? String else { continue }
            covered.insert(modelType)
        }
        let missing = Set(ModelLoader.supportedModelTypes).subtracting(covered)
        #expect(missing.isEmpty, "model types without an accepted seed in Fuzz/Corpus/config: \(missing.sorted())")
    }
}
