import SwiftSightCheckpoint
import SwiftSightLayers

/// Reads a model's parameters from its checkpoint by name, each tensor's shape checked, every
/// matrix packed once for the forward kernel (``Linear/packed(_:)``) in the chosen precision.
///
/// The pieces it returns keep the name they were loaded by, so watching them for parameter
/// gradients (``DecoderModel/watchingParameters(on:)``) needs no second list of keys: an
/// architecture writes each checkpoint name once, in the code that loads it.
struct ParameterLoader {
    let weights: CheckpointWeights
    let precision: WeightPrecision
    /// The key in the file of a parameter's name (identity, except for GPT-2 checkpoints saved
    /// without the `transformer.` prefix); gradients keep the name.
    var keyInFile: (String) -> String = { $0 }

    /// The tensor `name` (as written in the file, after ``keyInFile``), checked against `shape`.
    func tensor(_ name: String, shape: [Int]) throws(CheckpointError) -> Tensor {
        try weights.tensor(keyInFile(name), shape: shape)
    }

    /// `name.weight` ([out, in], or [in, out] for GPT-2's Conv1D) and, with `bias`, `name.bias`.
    func linear(_ name: String, _ inSize: Int, _ outSize: Int, bias: Bool,
                layout: Linear.Layout = .outputMajor) throws(CheckpointError) -> Projection {
        let weight = try tensor(name + ".weight", shape: layout == .inputMajor ? [inSize, outSize] : [outSize, inSize])
        let linear = Linear(weight: weight, bias: bias ? try tensor(name + ".bias", shape: [outSize]) : nil, layout: layout)
        return Projection(linear: linear.packed(precision), name: name)
    }

    /// A LayerNorm with `name.weight` and `name.bias`, `width` each.
    func layerNorm(_ name: String, width: Int, epsilon: Float) throws(CheckpointError) -> Norm {
        let norm = LayerNorm(weight: try tensor(name + ".weight", shape: [width]), bias: try tensor(name + ".bias", shape: [width]),
                             epsilon: epsilon)
        return Norm(kind: .layerNorm(norm), name: name)
    }

    /// A LayerNorm with no parameters (OLMo's): nothing is read; `name` is its module path.
    func layerNormWithoutParameters(_ name: String, width: Int, epsilon: Float) -> Norm {
        Norm(kind: .layerNormWithoutParameters(LayerNorm(weight: Tensor(uncheckedShape: [width], repeating: 1), bias: nil,
                                                         epsilon: epsilon)), name: name)
    }

    /// An RMSNorm with `name.weight`, `width` long, scaling by `weightOffset` + weight (1 for
    /// Gemma's `x · (1 + w)`).
    func rmsNorm(_ name: String, width: Int, epsilon: Float, weightOffset: Float = 0) throws(CheckpointError) -> Norm {
        let norm = RMSNorm(weight: try tensor(name + ".weight", shape: [width]), epsilon: epsilon, weightOffset: weightOffset)
        return Norm(kind: .rmsNorm(norm), name: name)
    }

    /// The table `name.weight`, [rows, width].
    func embedding(_ name: String, rows: Int, width: Int) throws(CheckpointError) -> TableEmbedding {
        TableEmbedding(embedding: Embedding(table: try tensor(name + ".weight", shape: [rows, width])), name: name)
    }

    /// The output head: `name.weight` ([vocab, width]), or the token table itself when the
    /// embeddings are tied (`tiedTo`); with `bias` (GPT-J's and Phi's `lm_head`), `name.bias`
    /// ([vocab]) too, its own even when the weight is tied.
    func head(_ name: String, vocab: Int, width: Int, tiedTo tokens: TableEmbedding?,
              bias: Bool = false) throws(CheckpointError) -> OutputHead {
        let weight = if let tokens { tokens.embedding.table } else { try tensor(name + ".weight", shape: [vocab, width]) }
        let biasVector = bias ? try tensor(name + ".bias", shape: [vocab]) : nil
        return OutputHead(linear: Linear(weight: weight, bias: biasVector, layout: .outputMajor).packed(precision),
                          name: tokens == nil ? name : nil, biasName: bias && tokens != nil ? name + ".bias" : nil)
    }
}
