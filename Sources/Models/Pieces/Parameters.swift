import SwiftSightLayers

// The parameter-holding pieces, each with the checkpoint name it was loaded by
// (``ParameterLoader``), so that watching it on a gradient tape reuses that name. Watching
// shares the values (and any packed copy of a weight); nothing is copied.

/// A linear layer (`model.layers.0.self_attn.q_proj`).
struct Projection: Sendable {
    var linear: Linear
    let name: String

    func callAsFunction(_ x: Tensor) -> Tensor { linear(x) }

    func watched(on tape: GradientTape) -> Projection {
        Projection(linear: linear.watched(on: tape, name: name), name: name)
    }
}

/// A LayerNorm (GPT-2, GPT-NeoX), an RMSNorm (Llama, Mistral, Qwen2), a LayerNorm without
/// parameters (OLMo), or no norm at all (OLMo 2's missing pre-norms).
struct Norm: Sendable {
    enum Kind: Sendable {
        case layerNorm(LayerNorm)
        case rmsNorm(RMSNorm)
        /// OLMo's `OlmoLayerNorm`: no weight or bias in the checkpoint, so nothing to watch.
        /// Held as a LayerNorm with γ = 1 and no β, which computes x̂ · 1 + 0 = x̂ exactly.
        case layerNormWithoutParameters(LayerNorm)
        /// No norm: the input unchanged. OLMo 2's blocks have no pre-norms (only norms on the
        /// attention and MLP outputs), so its ``DecoderBlock`` input and post-attention slots
        /// hold this; nothing to watch, nothing computed.
        case identity
    }

    var kind: Kind
    let name: String

    func callAsFunction(_ x: Tensor) -> Tensor {
        switch kind {
        case .layerNorm(let norm), .layerNormWithoutParameters(let norm): norm(x)
        case .rmsNorm(let norm): norm(x)
        case .identity: x
        }
    }

    func watched(on tape: GradientTape) -> Norm {
        switch kind {
        case .layerNorm(let norm): Norm(kind: .layerNorm(norm.watched(on: tape, name: name)), name: name)
        case .rmsNorm(let norm): Norm(kind: .rmsNorm(norm.watched(on: tape, name: name)), name: name)
        case .layerNormWithoutParameters, .identity: self
        }
    }
}

/// A lookup table: the token embeddings, or GPT-2's learned position embeddings.
struct TableEmbedding: Sendable {
    var embedding: Embedding
    let name: String
    /// Multiplies the rows looked up, inside the module: Gemma's `embed_tokens` returns the
    /// rows times √hidden_size (transformers' `GemmaTextScaledWordEmbedding`), so its hook
    /// point shows them scaled. A tied head reads the unscaled table.
    var scale: Float = 1

    /// The rows of `ids` times ``scale``, [ids.count, width].
    func callAsFunction(_ ids: [Int]) -> Tensor {
        let rows = embedding(ids, shape: [ids.count])
        return scale == 1 ? rows : rows * scale
    }

    func watched(on tape: GradientTape) -> TableEmbedding {
        TableEmbedding(embedding: embedding.watched(on: tape, name: name), name: name, scale: scale)
    }
}

/// The output head, [vocab, hidden]: its own matrix (`name`), or the token table when the
/// embeddings are tied (`name` nil).
struct OutputHead: Sendable {
    var linear: Linear
    let name: String?
    /// A tied head's own bias's parameter name (GPT-J's `lm_head.bias`); nil without one or
    /// when the head is untied (then its bias is watched under `name`).
    var biasName: String? = nil

    /// Watched under its name; a tied head becomes the watched token table itself, so both
    /// uses add to one gradient.
    func watched(on tape: GradientTape, tokens: TableEmbedding) -> OutputHead {
        guard let name else {
            let bias: Tensor? = if let b = linear.bias, let biasName { tape.watchParameter(b, name: biasName) } else { linear.bias }
            return OutputHead(linear: linear.withParameters(weight: tokens.embedding.table, bias: bias), name: nil, biasName: biasName)
        }
        return OutputHead(linear: linear.watched(on: tape, name: name), name: name)
    }
}
