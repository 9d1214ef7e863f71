import Foundation
import SwiftSight
import SwiftSightEmbeddedModel
import Testing

/// The embedded default is the trained demo model: a GPT-2 trained on the King James Bible by
/// `Scripts/train_demo_model.py` (see Docs/Models.md). The reference numbers below are from
/// `transformers` 5.24.0 on the same files.
@Suite struct EmbeddedModelTests {
    @Test func embeddedModelIsTheTrainedDemoModel() async throws {
        let model = try await StandardizedTransformer(.embedded)
        // config.json: n_layer 4, n_embd 128, n_head 4, vocab_size 4096 (n_positions 256).
        #expect(model.numLayers == 4 && model.hiddenSize == 128 && model.numHeads == 4 && model.vocabSize == 4096)
        // Its own byte-level BPE, trained on the corpus: common words are single tokens.
        #expect(model.tokenize("In the beginning God created the heaven and the earth.")
                == [1132, 259, 2098, 387, 3328, 259, 737, 268, 259, 618, 14])
        #expect(model.tokenizer.decode([1132, 259, 2098]) == "In the beginning")
        #expect(model.tokenize(String(repeating: " and", count: 256)).count == 256)
        await #expect(throws: ModelError.self) {
            try await model.predictions(for: String(repeating: " and", count: 257), top: 1)
        }
    }

    /// Greedy next tokens on Bible prompts are the Bible's, with transformers' probabilities.
    @Test func nextTokenPredictionsAreSensibleAndEqualTransformers() async throws {
        let model = try await StandardizedTransformer(.embedded)
        let cases: [(prompt: String, top: [(id: Int, text: String, p: Float)])] = [
            ("And the LORD spake unto Moses,",
             [(541, " saying", 0.79934), (268, " and", 0.11201), (199, "\n", 0.02645), (297, " that", 0.00745), (289, " to", 0.0055)]),
            ("In the beginning God created the heaven and the",
             [(618, " earth", 0.23569), (737, " heaven", 0.10096), (1823, " heavens", 0.03458), (1546, " throne", 0.03044), (1172, " world", 0.02079)]),
            ("And God said",
             [(12, ",", 0.5175), (320, " unto", 0.41001), (289, " to", 0.02698), (287, " in", 0.00664), (453, " again", 0.0037)]),
        ]
        for c in cases {
            let top = try await model.predictions(for: c.prompt, top: 5)
            #expect(top.map(\.id) == c.top.map(\.id), "\(c.prompt)")
            #expect(top.map(\.text) == c.top.map(\.text), "\(c.prompt)")
            for (mine, theirs) in zip(top, c.top) {
                #expect(abs(mine.probability - theirs.p) < 1e-4, "\(c.prompt): \(mine.text) \(mine.probability) vs \(theirs.p)")
            }
        }
    }

    /// The logit lens, by skipping the layers after each depth: " saying" after
    /// "And the LORD spake unto Moses," is unlikely in the early layers (whose top token is
    /// " and") and becomes the top token, at 0.80, only at the last layer.
    @Test func predictionsSharpenWithDepth() async throws {
        let model = try await StandardizedTransformer(.embedded)
        let prompt = "And the LORD spake unto Moses,"
        let saying = 541
        // transformers: softmax(lm_head(ln_f(hidden_states[k])))[saying] at the last position.
        let reference: [Float] = [0.0, 0.10993, 0.09215, 0.27197, 0.79934]
        var lens: [Float] = []
        for depth in 0...model.numLayers {
            let logits = try await model.trace(prompt) { t in
                for layer in depth..<model.numLayers { try await t.skipLayer(layer) }
                return try await t.logits
            }
            let probabilities = Softmax.apply(try logits[0][logits.shape[1] - 1]).scalars
            lens.append(probabilities[saying])
            let best = probabilities.indices.max { probabilities[$0] < probabilities[$1] }!
            #expect((best == saying) == (depth == model.numLayers), "depth \(depth): top token \(best)")
        }
        for (mine, theirs) in zip(lens, reference) { #expect(abs(mine - theirs) < 1e-4, "\(lens) vs \(reference)") }
        #expect(lens.dropLast().allSatisfy { $0 < 0.3 } && lens.last! > 0.75)
    }
}
