import Foundation
import SwiftSight
@_spi(Testing) import SwiftSightLayers
import Synchronization
import Testing

/// Per-step interventions: nnsight's `tracer.iter[...]` / `tracer.all()` as a per-step closure.
@Suite struct GenerationInterventionTests {
    @Test func readingLayerOneAtStepsZeroToTwo() async throws {
        let model = try await GenerationFixtures.model()
        let prompt = "My tailor is rich"
        let run = try await model.generate(prompt, maxNewTokens: 5, steps: 0...2) { step, t in
            try await t.layersOutput[1]
        }
        #expect(run.values.keys.sorted() == [0, 1, 2])
        #expect(run.values[0]?.shape == [1, 4, 64])
        #expect(run.values[1]?.shape == [1, 1, 64])
        #expect(run.values[2]?.shape == [1, 1, 64])
        // Step 2's row is the full sequence's last position, recomputed without a cache.
        let output = try #require(run.output)
        #expect(output.ids.count == 5)
        let full = try await model.trace(prompt + model.tokenizer.decode(Array(output.ids.prefix(2)))) { t in
            try await t.layersOutput[1]
        }
        if full.shape[1] == 6, let step2 = run.values[2] {
            #expect(try step2[0][0].maxAbsDifference(full[0][5]) <= 1e-4)
        }
        // Same tokens as without interventions: reading changes nothing.
        #expect(output == (try await model.generate(prompt, maxNewTokens: 5)))
    }

    @Test func steeringEveryStepChangesTheOutput() async throws {
        let model = try await GenerationFixtures.model()
        let prompt = "Hello world"
        let plain = try await model.generate(prompt, maxNewTokens: 10, stopAtEndOfText: false)
        let vector = try Tensor(shape: [64], values: (0..<64).map { Float(($0 * 37) % 11) - 5 })
        let steps = Mutex<[Int]>([])
        let steered = try await model.generate(prompt, maxNewTokens: 10, stopAtEndOfText: false) { step, t in
            steps.withLock { $0.append(step.index) }
            try await t.layersOutput.edit(1) { $0 = try $0 + vector }   // every position of this step
        }
        #expect(steps.withLock { $0 } == Array(0..<10))
        #expect(steered.output?.ids != plain.ids)
        // Steering from step 3 on leaves the first three tokens alone.
        let late = try await model.generate(prompt, maxNewTokens: 10, stopAtEndOfText: false, steps: 3...) { _, t in
            try await t.layersOutput.edit(1) { $0 = try $0 + vector }
        }
        #expect(late.output.map { Array($0.ids.prefix(3)) } == Array(plain.ids.prefix(3)))
        #expect(late.output?.ids != plain.ids)
    }

    @Test func logitsReadInAStepHaveEveryRow() async throws {
        // Without a reader, a step's head computes only each sequence's last row; a reader gets all.
        let model = try await GenerationFixtures.model()
        let prompt = "My tailor is rich"
        let plain = try await model.generate(prompt, maxNewTokens: 3, stopAtEndOfText: false)
        let read = try await model.generate(prompt, maxNewTokens: 3, stopAtEndOfText: false, steps: 0...0) { _, t in
            try await t.logits
        }
        let logits = try #require(read.values[0])
        #expect(logits.shape == [1, model.tokenize(prompt).count, model.info.vocabSize])
        #expect(read.output?.ids == plain.ids)
        let last = logits.shape[1] - 1
        let row = try logits.slice(axis: 1, range: last..<(last + 1)).scalars
        #expect(row.indices.max { row[$0] < row[$1] } == plain.ids[0])
    }

    @Test func codeAfterEveryStepStillRuns() async throws {
        // nnsight's footgun (issue #595): code after an unbounded `tracer.all()` never runs.
        // Here the closure is called per step, and what follows the generation always runs.
        let model = try await GenerationFixtures.model()
        let ran = Mutex(0)
        let run = try await model.generate("Hello", maxNewTokens: 4, stopAtEndOfText: false) { step, t in
            _ = try await t.logits
            ran.withLock { $0 += 1 }                 // after the last read: runs at every step
            return step.index
        }
        #expect(ran.withLock { $0 } == 4)
        #expect(run.values == [0: 0, 1: 1, 2: 2, 3: 3])
    }

    @Test func stopInsideAStepEndsTheGeneration() async throws {
        let model = try await GenerationFixtures.model()
        let run = try await model.generate("Hello", maxNewTokens: 8, stopAtEndOfText: false) { step, t in
            if step.index == 3 {
                _ = try await t.layersOutput[0]
                t.stop()
            }
        }
        let output = try #require(run.output)
        #expect(output.ids.count == 3)
        #expect(output.stopReason == .stopped)
        #expect(output.ids == (try await model.generate("Hello", maxNewTokens: 3, stopAtEndOfText: false)).ids)
    }

    @Test func anErrorInAStepReachesTheCaller() async throws {
        let model = try await GenerationFixtures.model()
        await #expect(throws: Boom.self) {
            _ = try await model.generate("Hello", maxNewTokens: 5) { step, t in
                if step.index == 2 { throw Boom() }
            }
        }
        await #expect(throws: TraceError.self) {
            _ = try await model.generate("Hello", maxNewTokens: 3) { _, t in
                _ = try await t.layersOutput[2]
                return try await t.layersOutput[1]
            }
        }
        // The model is usable afterwards.
        #expect(try await model.generate("Hello", maxNewTokens: 3).ids.count <= 3)
    }

    @Test func finishedPromptsDropOutOfTheStepBatch() async throws {
        let model = try await GenerationFixtures.model()
        let prompts = ["My tailor is rich", "Hello world"]
        let free = try await model.generate(prompts, maxNewTokens: 8, stopAtEndOfText: false)
        let stop = free[0].ids[1]
        let run = try await model.generate(prompts, maxNewTokens: 8, stopTokens: [stop], stopAtEndOfText: false) { step, t in
            (step.prompts, try await t.layersOutput[0].shape)
        }
        #expect(run.outputs.map(\.ids) == (try await model.generate(prompts, maxNewTokens: 8, stopTokens: [stop],
                                                                     stopAtEndOfText: false)).map(\.ids))
        let firstLength = run.outputs[0].ids.count
        for (step, (live, shape)) in run.values {
            #expect(shape[0] == live.count)
            #expect(live.contains(0) == (step < firstLength), "step \(step): \(live)")
        }
        #expect(run.values[0]?.1 == [2, 4, 64])
    }
}
