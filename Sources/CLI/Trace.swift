import ArgumentParser
import Foundation
import SwiftSight

struct Trace: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run prompts as one left-padded batch and save activations to a safetensors file.",
        discussion: """
            NAMES is a comma-separated list or `all`. Each name is a standardized point (token_embeddings, \
            layers_input.I, attentions_input.I, attentions_output.I, mlps_input.I, mlps_output.I, layers_output.I, \
            ln_final, logits) or an original module path of the model's architecture (GPT-2: transformer.h.3, \
            transformer.h.3.attn, lm_head; Llama, Mistral, Qwen2: model.layers.3, model.layers.3.self_attn, model.norm; \
            GPT-NeoX: gpt_neox.layers.3.attention; add .input for a module's input; `info` lists them). Keys in \
            the file are nnsight envoy paths such as model.transformer.h.3.output or model.model.layers.3.output, \
            plus input_ids and attention_mask (int64).
            """)

    @OptionGroup var options: ModelOptions
    @Option(name: .long, help: "A prompt; repeat for a batch.") var prompt: [String] = []
    @Option(name: .long, help: "What to save: NAMES or all.") var save: String?
    @Option(name: .long, help: "Modules to cache by name (original paths or layers.I, attentions.I, mlps.I), or all.")
    var cache: String?
    @Flag(name: .long, help: "With --cache, record module inputs too.") var cacheInputs = false
    @Option(name: .long, help: "Stop the forward pass after this point (NAME); later layers are not computed.")
    var stopAfter: String?
    @Option(name: .long, help: "The safetensors file to write.") var out: String

    func validate() throws {
        guard !prompt.isEmpty else { throw ValidationError("give at least one --prompt") }
        for p in prompt { try OptionCheck.text(p, "--prompt") }
        guard save != nil || cache != nil else { throw ValidationError("give --save NAMES or --cache NAMES") }
        if let save { _ = try OptionCheck.names(save, "--save") }
        if let cache { _ = try OptionCheck.names(cache, "--cache") }
        if let stopAfter { try OptionCheck.text(stopAfter, "--stop-after") }
        try OptionCheck.path(out, "--out")
    }

    func run() async throws {
        let model = try await options.load()
        var points = Set<HookPoint>()
        if let save { points.formUnion(try Self.points(save, option: "--save", model: model)) }
        if let cache {
            let request: CacheRequest = cache.trimmingCharacters(in: .whitespaces) == "all" ? .allLayers(inputs: cacheInputs)
                : .modules(try OptionCheck.names(cache, "--cache"), inputs: cacheInputs)
            points.formUnion(try request.points(naming: model.info.naming, layers: model.numLayers))
        }
        let stop = try stopAfter.map { try model.info.naming.resolve($0, layers: model.numLayers) }
        let (recorded, batch) = try await model.activations(of: prompt, at: points, stopAfter: stop)
        let shape = [batch.batchSize, batch.maxLength]
        var entries = [
            SafetensorsEntry(name: "input_ids", shape: shape, payload: .int64(batch.paddedIDs(padID: model.padID).map(Int64.init))),
            SafetensorsEntry(name: "attention_mask", shape: shape, payload: .int64(batch.paddedMask.map(Int64.init))),
        ]
        for (key, value) in recorded.flattened {
            entries.append(SafetensorsEntry(name: key, tensor: value))
        }
        try SafetensorsWriter.write(entries, metadata: ["producer": "swiftsight \(SwiftSightVersion.string)"],
                                    to: URL(fileURLWithPath: out))
        let stopped = stop.map { ", stopped after \($0)" } ?? ""
        // With --out /dev/stdout the file is the output: the summary must not follow it there.
        let summary = "wrote \(entries.count - 2) activations for \(batch.batchSize) prompt(s) of up to \(batch.maxLength) tokens to \(out)\(stopped)"
        if isStandardOutput(out) { progressLine(summary) } else { print(summary) }
    }

    /// Resolves NAMES (the value of `option`) against the model; `all` means every hook point.
    static func points(_ names: String, option: String, model: StandardizedTransformer) throws -> [HookPoint] {
        if names.trimmingCharacters(in: .whitespaces) == "all" { return HookPoint.all(layers: model.numLayers) }
        return try OptionCheck.names(names, option).map { try model.info.naming.resolve($0, layers: model.numLayers) }
    }
}
