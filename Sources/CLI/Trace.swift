import ArgumentParser
import Foundation
import SwiftSight

struct Trace: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run prompts as one left-padded batch and save activations to a safetensors file.",
        discussion: """
            NAMES is a comma-separated list or `all`. Each name is a standardized point (token_embeddings, \
            layers_input.I, attentions_input.I, attentions_output.I, mlps_input.I, mlps_output.I, layers_output.I, \
            ln_final, logits) or an original module path (transformer.h.3, transformer.h.3.attn, lm_head; \
            add .input for a module's input). Keys in the file are nnsight envoy paths such as \
            model.transformer.h.3.output, plus input_ids and attention_mask (int64).
            """)

    @OptionGroup var options: ModelOptions
    @Option(name: .long, help: "A prompt; repeat for a batch.") var prompt: [String] = []
    @Option(name: .long, help: "What to save: NAMES or all.") var save: String
    @Option(name: .long, help: "The safetensors file to write.") var out: String

    func run() async throws {
        guard !prompt.isEmpty else { throw ValidationError("give at least one --prompt") }
        let model = try await options.load()
        let points = try Self.points(save, model: model)
        let (cache, batch) = try await model.activations(of: prompt, at: Set(points))
        var entries = [
            SafetensorsEntry(name: "input_ids", shape: [batch.batchSize, batch.length], payload: .int64(batch.ids.map(Int64.init))),
            SafetensorsEntry(name: "attention_mask", shape: [batch.batchSize, batch.length],
                             payload: .int64(batch.mask.map { Int64($0) })),
        ]
        for (key, value) in cache.flattened {
            entries.append(SafetensorsEntry(name: key, shape: value.shape, payload: .float32(value.scalars)))
        }
        try SafetensorsWriter.write(entries, metadata: ["producer": "swiftsight \(SwiftSightVersion.string)"],
                                    to: URL(fileURLWithPath: out))
        print("wrote \(entries.count - 2) activations for \(batch.batchSize) prompt(s) of \(batch.length) tokens to \(out)")
    }

    /// Resolves NAMES against the model; `all` means every hook point.
    static func points(_ names: String, model: StandardizedTransformer) throws -> [HookPoint] {
        if names.trimmingCharacters(in: .whitespaces) == "all" { return HookPoint.all(layers: model.numLayers) }
        return try names.split(separator: ",").map {
            try model.info.naming.resolve($0.trimmingCharacters(in: .whitespaces), layers: model.numLayers)
        }
    }
}
