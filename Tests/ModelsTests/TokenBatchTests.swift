import Hooks
import Models
import Testing

@Suite struct TokenBatchTests {
    @Test func leftPadsAndCountsPositionsOverRealTokens() {
        let batch = TokenBatch([[5, 6, 7], [9]], padID: 0)
        #expect(batch.length == 3)
        #expect(batch.ids == [5, 6, 7, 0, 0, 9])
        #expect(batch.mask == [1, 1, 1, 0, 0, 1])
        // cumsum(mask) - 1, padding at 1 as in transformers' generate().
        #expect(batch.positions == [0, 1, 2, 1, 1, 0])
        #expect(batch.padding(ofRow: 1) == 2)
    }

    @Test func validationNamesThePromptAndValue() {
        let info = ModelInfo(modelType: "gpt2", numLayers: 1, hiddenSize: 4, numHeads: 1, vocabSize: 10,
                             maxPositions: 4, eosTokenID: nil, naming: GPT2Model.naming)
        #expect(throws: ModelError.promptTooLong(prompt: 1, tokens: 5, maxPositions: 4)) {
            try TokenBatch([[1], [1, 2, 3, 4, 5]], padID: 0).validate(for: info)
        }
        #expect(throws: ModelError.tokenOutOfRange(prompt: 0, id: 10, vocabSize: 10)) {
            try TokenBatch([[1, 10]], padID: 0).validate(for: info)
        }
        #expect(throws: ModelError.emptyPrompt(prompt: 0)) { try TokenBatch([[]], padID: 0).validate(for: info) }
        #expect(throws: ModelError.noPrompts) { try TokenBatch([], padID: 0).validate(for: info) }
        #expect(ModelError.promptTooLong(prompt: 1, tokens: 5, maxPositions: 4).description.contains("5 tokens"))
    }
}
