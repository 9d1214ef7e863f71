import SwiftSightHooks
import SwiftSightLayers
import SwiftSightModels
import Testing

@Suite struct TokenBatchTests {
    @Test func packsRowsAndCountsPositionsPerSequence() {
        let batch = TokenBatch([[5, 6, 7], [9]])
        #expect(batch.rows == 4 && batch.maxLength == 3)
        #expect(batch.ids == [5, 6, 7, 9])
        #expect(batch.offsets == [0, 3, 4])
        // Equal to cumsum(mask) - 1 over the left-padded layout's real tokens.
        #expect(batch.positions == [0, 1, 2, 0])
        #expect(batch.paddedIDs(padID: 0) == [5, 6, 7, 0, 0, 9])
        #expect(batch.paddedMask == [1, 1, 1, 0, 0, 1])
        #expect(batch.padding(of: 1) == 2 && batch.rows(of: 1) == 3..<4)
    }

    @Test func leftPaddedLayoutRoundTrips() throws {
        let batch = TokenBatch([[1, 2], [3, 4, 5]])
        let packed = try Tensor(shape: [5, 2], values: [1, 1, 2, 2, 3, 3, 4, 4, 5, 5])
        let padded = batch.layout.leftPadded(packed)
        #expect(padded.shape == [2, 3, 2])
        #expect(padded.scalars == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5])
        var back = try Tensor.zeros([5, 2])
        batch.layout.scatter(padded, into: &back)
        #expect(back.scalars == packed.scalars)
        #expect(batch.layout.leftPadded(packed, sequences: 1..<2).scalars == [3, 3, 4, 4, 5, 5])
    }

    @Test func validationNamesThePromptAndValue() {
        let info = ModelInfo(modelType: "gpt2", numLayers: 1, hiddenSize: 4, numHeads: 1, vocabSize: 10,
                             maxPositions: 4, eosTokenID: nil, naming: GPT2Model.naming)
        #expect(throws: ModelError.promptTooLong(prompt: 1, tokens: 5, maxPositions: 4)) {
            try TokenBatch([[1], [1, 2, 3, 4, 5]]).validate(for: info)
        }
        #expect(throws: ModelError.tokenOutOfRange(prompt: 0, id: 10, vocabSize: 10)) {
            try TokenBatch([[1, 10]]).validate(for: info)
        }
        #expect(throws: ModelError.emptyPrompt(prompt: 0)) { try TokenBatch([[]]).validate(for: info) }
        #expect(throws: ModelError.noPrompts) { try TokenBatch([]).validate(for: info) }
        #expect(ModelError.promptTooLong(prompt: 1, tokens: 5, maxPositions: 4).description.contains("5 tokens"))
    }
}
