import Foundation
import Testing

/// `swiftsight generate` against the Hugging Face references, with the fixture model given explicitly.
@Suite(.serialized) struct GenerateCLITests {
    static let model = CLI.fixtures.appendingPathComponent("tiny-gpt2").path

    struct Reference: Decodable {
        let name: String
        let prompts: [String]
        let max_new_tokens: Int
        let stop_tokens: [Int]
        let new_ids: [[Int]]
        let texts: [String]
    }

    struct References: Decodable { let cases: [Reference] }

    func reference(_ name: String) throws -> Reference {
        let data = try Data(contentsOf: CLI.fixtures.appendingPathComponent("generation/generation.json"))
        return try #require(try JSONDecoder().decode(References.self, from: data).cases.first { $0.name == name })
    }

    struct Printed: Decodable { let ids: [Int]; let text: String }

    @Test func jsonIsOneLineWithTheHuggingFaceIDs() throws {
        for name in ["tiny-gpt2-single-0", "tiny-gpt2-single-2", "tiny-gpt2-stop"] {
            let ref = try reference(name)
            let r = try CLI.run(["generate", "--model", Self.model, "--prompt", ref.prompts[0],
                                 "--max-new-tokens", String(ref.max_new_tokens), "--json"]
                                + ref.stop_tokens.flatMap { ["--stop-token", String($0)] })
            #expect(r.status == 0, "\(r.err)")
            #expect(r.out.split(separator: "\n").count == 1)
            let printed = try JSONDecoder().decode(Printed.self, from: Data(r.out.utf8))
            #expect(printed.ids == ref.new_ids[0], "\(name)")
            #expect(printed.text == ref.texts[0], "\(name)")
            #expect(r.out.hasPrefix("{\"ids\":"))
        }
    }

    @Test func plainOutputIsTheText() throws {
        let ref = try reference("tiny-gpt2-single-1")
        let r = try CLI.run(["generate", "--model", Self.model, "--prompt", ref.prompts[0],
                             "--max-new-tokens", String(ref.max_new_tokens)])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out == ref.texts[0] + "\n")
    }

    @Test func samplingIsReproducibleWithASeed() throws {
        let args = ["generate", "--model", Self.model, "--prompt", "Hello world", "--max-new-tokens", "12",
                    "--temperature", "1.1", "--top-k", "40", "--top-p", "0.9", "--seed", "5", "--json"]
        let a = try CLI.run(args), b = try CLI.run(args)
        #expect(a.status == 0, "\(a.err)")
        #expect(a.out == b.out)
        let greedy = try CLI.run(["generate", "--model", Self.model, "--prompt", "Hello world", "--max-new-tokens", "12", "--json"])
        #expect(a.out != greedy.out)
    }

    @Test func badValuesExitNonZeroWithTheNumbers() throws {
        let tooMany = try CLI.run(["generate", "--model", Self.model, "--prompt", "My tailor is rich", "--max-new-tokens", "100"])
        #expect(tooMany.status != 0)
        #expect(tooMany.err.contains("--max-new-tokens 100") && tooMany.err.contains("64 positions"), "\(tooMany.err)")
        let topP = try CLI.run(["generate", "--model", Self.model, "--prompt", "Hello", "--max-new-tokens", "3", "--top-p", "1.5"])
        #expect(topP.status != 0)
        #expect(topP.err.contains("--top-p must be in (0, 1], got 1.5"), "\(topP.err)")
    }
}
