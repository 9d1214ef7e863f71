import SwiftSightLayers

/// A block's causal self-attention: its projections, its positions, and the kernel
/// (``ScaledDotProductAttention/attend(_:layer:context:)``, which gives every architecture the
/// KV-cached path, attention probabilities and gradients).
struct SelfAttention: Sendable {
    /// How the queries, keys and values come out of the block's normalised input.
    enum Projections: Sendable {
        /// Three projections (Llama's `q_proj`, `k_proj`, `v_proj`).
        case separate(q: Projection, k: Projection, v: Projection)
        /// One projection whose output is [q | k | v] column windows (GPT-2's `c_attn`, Phi-3's
        /// `qkv_proj` whose weight rows are [q | k | v]). Without rotary positions the windows
        /// are read in place; with them (Phi-3) q, k and v are copied out, q and k to be
        /// rotated.
        case fusedColumns(Projection)
        /// One projection whose output is laid out per head, [heads, 3, headDim]
        /// (GPT-NeoX's `query_key_value`); q, k and v are pulled out for all heads.
        case fusedPerHead(Projection)
    }

    var projections: Projections
    /// The output projection (`o_proj`, `c_proj`, `dense`).
    var output: Projection
    /// Rotary positions on queries and keys (its frequencies computed), rotating the first
    /// `rotaryDimension` features of each head in half-split layout; nil where positions are
    /// learned embeddings added before block 0.
    let rotary: RotaryEmbedding?
    let kernel: ScaledDotProductAttention
    let heads: Int, kvHeads: Int, headDim: Int
    /// Per-head RMSNorms of the queries and keys (Qwen3's `q_norm`, `k_norm`, `headDim` wide),
    /// applied to each head of the `.separate` projections' output before the rotary
    /// embedding; nil (no norm) for the architectures without them.
    var queryNorm: Norm? = nil, keyNorm: Norm? = nil
    /// OLMo 2's q/k norms: ``queryNorm`` and ``keyNorm`` span the whole projection width
    /// (`heads · headDim` and `kvHeads · headDim`, one RMS over all heads) rather than each
    /// head; false (per head) elsewhere.
    var normsSpanHeads: Bool = false
    /// OLMo's `clip_qkv`: the `.separate` projections' outputs clamped to ±clip before any
    /// norm or rotary embedding; nil (no clamp) elsewhere.
    var clip: Float? = nil

    /// The attention output, [rows, hidden].
    func callAsFunction(_ x: Tensor, layer: Int, context: BlockContext) async throws -> Tensor {
        let positions = context.batch.positions
        func rotated(_ t: Tensor, heads: Int) -> Tensor { rotary.map { $0(t, positions: positions, heads: heads) } ?? t }
        /// `t` ([rows, heads · headDim]) with `norm` applied to each head: viewed as
        /// [rows · heads, headDim], so the norm's last axis is one head (views, no copies).
        func perHead(_ t: Tensor, _ norm: Norm?, heads: Int) -> Tensor {
            guard let norm else { return t }
            if normsSpanHeads { return norm(t) }
            let rows = t.shape[0]
            return norm(t.reshaped(unchecked: [rows * heads, headDim])).reshaped(unchecked: [rows, heads * headDim])
        }
        let inputs: AttentionInputs
        switch projections {
        case let .separate(q, k, v):
            func clipped(_ t: Tensor) -> Tensor { clip.map { t.clamped(unchecked: $0) } ?? t }
            let queries = rotated(perHead(clipped(q(x)), queryNorm, heads: heads), heads: heads)
            let keys = rotated(perHead(clipped(k(x)), keyNorm, heads: kvHeads), heads: kvHeads)
            inputs = AttentionInputs(queries: .init(queries), keys: .init(keys), values: .init(clipped(v(x))), heads: heads, kvHeads: kvHeads)
        case .fusedColumns(let qkv):
            let (fused, qWidth, kvWidth) = (qkv(x), heads * headDim, kvHeads * headDim)
            if rotary == nil {
                inputs = AttentionInputs(queries: .init(fused, column: 0, width: qWidth), keys: .init(fused, column: qWidth, width: kvWidth),
                                         values: .init(fused, column: qWidth + kvWidth, width: kvWidth), heads: heads, kvHeads: kvHeads)
            } else {
                // Rotated keys are their own tensor; values share their row stride (the cache's rule).
                func part(_ column: Int, _ width: Int) -> Tensor { fused.slice(uncheckedAxis: 1, range: column..<(column + width)) }
                inputs = AttentionInputs(queries: .init(rotated(part(0, qWidth), heads: heads)),
                                         keys: .init(rotated(part(qWidth, kvWidth), heads: kvHeads)),
                                         values: .init(part(qWidth + kvWidth, kvWidth)), heads: heads, kvHeads: kvHeads)
            }
        case .fusedPerHead(let qkv):
            let (rows, hd) = (context.batch.rows, headDim)
            let fused = qkv(x).reshaped(unchecked: [rows * heads, 3 * hd])
            func part(_ k: Int) -> Tensor {
                fused.slice(uncheckedAxis: 1, range: (k * hd)..<((k + 1) * hd)).reshaped(unchecked: [rows, heads * hd])
            }
            let queries = rotated(part(0), heads: heads)
            let keys = rotated(part(1), heads: heads)
            inputs = AttentionInputs(queries: .init(queries), keys: .init(keys), values: .init(part(2)), heads: heads, kvHeads: heads)
        }
        return output(try await kernel.attend(inputs, layer: layer, context: context))
    }

    func watched(on tape: GradientTape) -> SelfAttention {
        var a = self
        a.projections = switch projections {
        case let .separate(q, k, v): .separate(q: q.watched(on: tape), k: k.watched(on: tape), v: v.watched(on: tape))
        case .fusedColumns(let qkv): .fusedColumns(qkv.watched(on: tape))
        case .fusedPerHead(let qkv): .fusedPerHead(qkv.watched(on: tape))
        }
        a.output = output.watched(on: tape)
        a.queryNorm = queryNorm?.watched(on: tape)
        a.keyNorm = keyNorm?.watched(on: tape)
        return a
    }
}
