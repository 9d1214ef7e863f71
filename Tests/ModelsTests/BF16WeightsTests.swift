import SwiftSightCheckpoint
import Foundation
import SwiftSightHooks
import SwiftSightLayers
import SwiftSightModels
import SwiftSightTestSupport
import Synchronization
import Testing

/// The opt-in BF16 weight storage against Hugging Face with the same weights rounded by torch
/// (Scripts/fixtures_bf16_weights.py): every hook point within the Float32 tolerance.
@Suite struct BF16WeightsTests {
    @Test(arguments: ["bf16-weights-tailor", "bf16-weights-batch"])
    func everyHookPointMatchesRoundedTransformers(_ name: String) async throws {
        let fixture = try Fixtures.Case(name)
        let model = try ModelLoader.loadModel(directory: fixture.modelDirectory, weightPrecision: .bfloat16)
        let recorded = Mutex<[HookPoint: Tensor]>([:])
        _ = try await ForwardPass.run(model, fixture.batch) { point, value in
            recorded.withLock { $0[point] = value }
        }
        let values = recorded.withLock { $0 }
        for point in HookPoint.all(layers: model.info.numLayers) {
            let key = model.info.naming.envoyKey(of: point)
            let mine = try #require(values[point], "\(point) was not fired")
            let diff = try maxDifferenceOverRealTokens(packed: mine, reference: try fixture.reference(key), batch: fixture.batch)
            #expect(diff <= 1e-4, "\(name): \(key) differs by \(diff)")
        }
    }

    /// The Float32 model is far from the rounded reference: the test above sees the rounding.
    @Test func float32ModelDiffersFromRoundedReference() async throws {
        let fixture = try Fixtures.Case("bf16-weights-tailor")
        let model = try ModelLoader.loadModel(directory: fixture.modelDirectory)
        let logits = try await ForwardPass.run(model, fixture.batch)
        let diff = try maxDifferenceOverRealTokens(packed: logits, reference: try fixture.reference("model.lm_head.output"),
                                               batch: fixture.batch)
        #expect(diff > 1e-3, "Float32 logits differ from the BF16-weight reference by only \(diff)")
    }
}
