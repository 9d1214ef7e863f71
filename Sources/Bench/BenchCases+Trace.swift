import SwiftSight

extension BenchCases {
    /// Traces of one prompt (and one of eight invokes), against nnsight.
    static func trace(model: StandardizedTransformer, inputs: BenchInputs) throws -> [BenchCase] {
        let short = inputs.short, long = inputs.slice128
        let layers = model.numLayers
        var cases: [BenchCase] = []
        for (label, prompt) in [("short", short), ("128", long)] {
            cases.append(BenchCase("trace_read_l5_\(label)", "trace reading `layers_output[5]`, \(label)") {
                _ = try await model.trace(prompt) { t in try await t.layersOutput[5] }
            })
            // SwiftSight ends a trace after its last read; this one reads the logits too, so the whole
            // model runs as in nnsight's case: the like-for-like comparison, and the hooks' overhead.
            cases.append(BenchCase("trace_read_l5_logits_\(label)", "trace reading `layers_output[5]` and the logits (whole pass), \(label)",
                                   reference: "trace_read_l5_\(label)") {
                _ = try await model.trace(prompt) { t in (try await t.layersOutput[5], try await t.logits) }
            })
            cases.append(BenchCase("trace_stop_l5_\(label)", "trace reading `layers_output[5]` then stop, \(label)") {
                _ = try await model.trace(prompt) { t in
                    let value = try await t.layersOutput[5]
                    t.stop()
                    return value
                }
            })
        }
        cases.append(BenchCase("trace_save_all_128", "trace saving the \(layers) layer outputs and the logits, 128") {
            _ = try await model.trace(long) { t in
                var saved: [Tensor] = []
                for i in 0..<layers { saved.append(try await t.layersOutput[i]) }
                saved.append(try await t.logits)
                return saved
            }
        })
        let alternate = stride(from: 0, to: layers, by: 2).map { "layers.\($0)" }
        cases.append(BenchCase("trace_cache_alternate_128", "trace caching every other layer (the cache), 128") {
            _ = try await model.trace(long, cache: .modules(alternate)) { _ in () }
        })
        cases.append(BenchCase("trace_ablate_l3_short", "trace zero-ablating `layers_output[3]`, reading the logits, short") {
            _ = try await model.trace(short) { t in
                try await t.layersOutput.edit(3) { $0 = try Tensor.zeros($0.shape) }
                return try await t.logits
            }
        })
        for (label, prompt) in [("short", short), ("128", long)] {
            cases.append(BenchCase("trace_grad_l1_\(label)", "gradient of `logits.sum()` w.r.t. `layers_output[1]`, \(label)",
                                   bar: .atMost(0.5)) {
                _ = try await model.trace(prompt, gradients: .activations) { t in
                    let l1 = try await t.layersOutput[1]
                    let logits = try await t.logits
                    return try await t.backward(logits.sum()).gradient(of: l1)
                }
            })
        }
        let invokes = inputs.batch8x64.map { prompt in Invoke(prompt) { t in try await t.layersOutput[5] } }
        cases.append(BenchCase("trace_invokes_8x64", "8 invokes × 64 tokens in one trace, each reading `layers_output[5]`") {
            _ = try await model.trace(invokes: invokes)
        })
        return cases
    }
}
