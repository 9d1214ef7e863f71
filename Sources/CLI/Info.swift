import ArgumentParser
import SwiftSight

struct Info: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the OpenBLAS kernel in use, the model's sizes, its module paths and every standardized point.")

    @OptionGroup var options: ModelOptions

    func run() async throws {
        print("swiftsight \(SwiftSightVersion.string)")
        print(BLASRuntime.current)
        let model = try await options.load()
        print("model: \(model.directory.path)")
        let info = model.info
        let kv = info.numKeyValueHeads == info.numHeads ? "" : " sharing \(info.numKeyValueHeads) key/value heads"
        print("type \(info.modelType), \(model.numLayers) layers, \(model.numHeads) heads of \(info.headDim)\(kv), hidden \(model.hiddenSize), "
              + "vocabulary \(model.vocabSize), up to \(info.maxPositions) positions")
        // OPT's MLP is no module: its input and output points name two (fc1, fc2).
        let mlp = info.naming.mlpInputModule.map { "\($0) (input) and \(info.naming.mlp) (output)" } ?? info.naming.mlp
        print("modules: layers \(info.naming.layer), attention \(info.naming.attention), MLP \(mlp), "
              + "final norm \(info.naming.finalNorm), head \(info.naming.head)")
        print("points (I = 0...\(info.numLayers - 1)):")
        let rows = Self.pointRows(info)
        let widths = (0..<2).map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            print("  " + zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                  + "  " + row[2])
        }
    }

    /// One row per kind of standardized point: its nnterp name, nnsight's envoy key (what
    /// `--save` and the cache accept besides the name) and the shape of its value.
    static func pointRows(_ info: ModelInfo) -> [[String]] {
        let n = info.naming
        func generic(_ template: String) -> String { template.replacingOccurrences(of: "{i}", with: "I") }
        let naming = ModuleNaming(embedTokens: n.embedTokens, layer: generic(n.layer), attention: generic(n.attention),
                                  mlp: generic(n.mlp), finalNorm: n.finalNorm, head: n.head,
                                  mlpInputModule: n.mlpInputModule.map(generic))
        return HookPoint.all(layers: 1, includingAttentionProbabilities: true).map { point in
            let name = point.layer == nil ? point.name : String(point.name.dropLast()) + "I"
            let shape = point.isAttentionProbabilities ? "[batch, \(info.numHeads), seq, seq]"
                : "[batch, seq, \(point == .logits ? info.vocabSize : info.hiddenSize)]"
            return [name, naming.envoyKey(of: point), shape]
        }
    }
}
