import SwiftSight

/// The cases of `swiftsight bench`, in the order they run. Names, prompts and what each case
/// does match Scripts/bench_reference.py; bars are for SwiftSight's median over the reference's.
enum BenchCases {
    /// Every case: plain forwards and generation, traces, then the many-prompt cases.
    static func all(model: StandardizedTransformer, inputs: BenchInputs) throws -> [BenchCase] {
        try forward(model: model, inputs: inputs) + trace(model: model, inputs: inputs) + many(model: model, inputs: inputs)
    }

    /// Plain forward passes (logits for every position) and greedy generation, against Hugging Face.
    static func forward(model: StandardizedTransformer, inputs: BenchInputs) throws -> [BenchCase] {
        let short = TokenBatch([inputs.ids.short])
        let long = TokenBatch([inputs.ids.slice128])
        let batch = TokenBatch(inputs.ids.batch8x64)
        let prompt = inputs.ids.short
        return [
            BenchCase("forward_short", "forward, \"\(BenchText.short)\" (\(prompt.count) tokens), HF", bar: .atMost(1)) {
                _ = try await model.forward(short)
            },
            // Issue 2: no slower than PyTorch at 128 tokens.
            BenchCase("forward_128", "forward, 128 tokens, HF", bar: .atMost(1)) { _ = try await model.forward(long) },
            BenchCase("forward_batch_8x64", "forward, batch of 8 × 64 tokens, HF", bar: .atMost(1)) { _ = try await model.forward(batch) },
            // Issue 5: at most 0.8 of Hugging Face's `generate`.
            BenchCase("generate_greedy_20", "greedy generation, short prompt + 20 tokens, HF `generate`", bar: .atMost(0.8)) {
                _ = try await model.generate(ids: [prompt], maxNewTokens: 20, stopAtEndOfText: false)
            },
        ]
    }

    /// SwiftSight's own ratios with the bars of issues 3 and 4, where both cases ran.
    static let ownRatios: [OwnRatio] = [
        // The whole pass with a read: what the hooks cost (a trace reading only layer 5 ends there).
        OwnRatio(title: "trace reading layer 5 and the logits / forward, short", numerator: "trace_read_l5_logits_short",
                 denominator: "forward_short", bar: .atMost(1.02)),
        OwnRatio(title: "trace reading layer 5 and the logits / forward, 128", numerator: "trace_read_l5_logits_128",
                 denominator: "forward_128", bar: .atMost(1.02)),
        OwnRatio(title: "trace stopping after layer 5 / forward, short", numerator: "trace_stop_l5_short", denominator: "forward_short", bar: .atMost(0.5)),
        OwnRatio(title: "trace stopping after layer 5 / forward, 128", numerator: "trace_stop_l5_128", denominator: "forward_128", bar: .atMost(0.5)),
        OwnRatio(title: "gradient to layer 1 / forward, short", numerator: "trace_grad_l1_short", denominator: "forward_short", bar: .atMost(3)),
        OwnRatio(title: "gradient to layer 1 / forward, 128", numerator: "trace_grad_l1_128", denominator: "forward_128", bar: .atMost(3)),
        OwnRatio(title: "32 traces × 64 tokens: sequential / concurrent (speed-up)", numerator: "traces_32x64_sequential",
                 denominator: "traces_32x64", bar: .atLeast(1.3)),
    ]

    /// The own ratios whose two cases are both in `results`.
    static func ownRatioRows(_ results: [String: BenchMeasurement]) -> [OwnRatioRow] {
        ownRatios.compactMap { r in
            guard let n = results[r.numerator], let d = results[r.denominator] else { return nil }
            return OwnRatioRow(title: r.title, value: n.medianMs / d.medianMs, bar: r.bar)
        }
    }
}
