import SwiftSightHooks
import SwiftSightModels
import Testing

@Suite struct HookNamingTests {
    let naming = GPT2Model.naming

    @Test func sequenceNumbersFollowForwardOrder() {
        let all = HookPoint.all(layers: 3)
        #expect(all == all.sorted())
        #expect(Set(all.map(\.sequenceNumber)).count == all.count)
        #expect(HookPoint.layerOutput(1) < .layerInput(2))
        #expect(HookPoint.attentionOutput(0) < .mlpOutput(0))
        #expect(HookPoint.layerOutput(100) < .lnFinal)
    }

    @Test func standardizedNamesRoundTrip() throws {
        for point in HookPoint.all(layers: 3) {
            #expect(HookPoint(standardizedName: point.name) == point)
            #expect(try naming.resolve(point.name, layers: 3) == point)
        }
    }

    @Test func modulePathsResolveLikeNnsight() throws {
        #expect(try naming.resolve("transformer.h.3", layers: 12) == .layerOutput(3))
        #expect(try naming.resolve("model.transformer.h.3.input", layers: 12) == .layerInput(3))
        #expect(try naming.resolve("transformer.h.3.attn", layers: 12) == .attentionOutput(3))
        #expect(try naming.resolve("transformer.h.11.mlp.input", layers: 12) == .mlpInput(11))
        #expect(try naming.resolve("transformer.wte", layers: 12) == .tokenEmbeddings)
        #expect(try naming.resolve("transformer.ln_f", layers: 12) == .lnFinal)
        #expect(try naming.resolve("lm_head", layers: 12) == .logits)
        #expect(naming.envoyKey(of: .attentionOutput(2)) == "model.transformer.h.2.attn.output")
        #expect(naming.envoyKey(of: .layerInput(0)) == "model.transformer.h.0.input")
    }

    @Test func badNamesAreTypedErrorsNamingTheValue() {
        for bad in ["layers_output.12", "transformer.h.12", "layer_output.1", "transformer.h.x", "layers_output.-1", ""] {
            #expect(throws: HookNameError.self) { try naming.resolve(bad, layers: 12) }
        }
        do {
            _ = try naming.resolve("layers_output.12", layers: 12)
        } catch {
            #expect(error.description.contains("layers_output.12") && error.description.contains("12 layers"))
        }
    }
}
