import ArgumentParser
import SwiftSight

struct Tokenize: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the token ids of a text as a JSON array.")

    @OptionGroup var options: ModelOptions
    @Argument(help: "The text.") var text: String

    func run() async throws {
        let model = try await options.load()
        print("[" + model.tokenize(text).map(String.init).joined(separator: ", ") + "]")
    }
}
