import SwiftSightLayers

/// A block's MLP.
struct FeedForward: Sendable {
    enum Kind: Sendable {
        /// down(act(up(x))): GPT-2's `c_fc`/`c_proj`, GPT-NeoX's `dense_h_to_4h`/`dense_4h_to_h`.
        case plain(up: Projection, down: Projection)
        /// down(act(gate(x)) · up(x)): Llama's SwiGLU.
        case gated(gate: Projection, up: Projection, down: Projection)
        /// `gated` with gate and up as one projection whose output is [gate | up] column
        /// halves (Phi-3's `gate_up_proj`, weight rows [gate | up]), each `width` wide.
        case fusedGated(gateUp: Projection, down: Projection, width: Int)
        /// A sparse mixture of experts (Mixtral), each expert a `gated` FeedForward; the
        /// `activation` below is unused (each expert carries its own).
        case mixture(MixtureOfExperts)
    }

    var kind: Kind
    let activation: Activation

    func callAsFunction(_ x: Tensor) -> Tensor {
        switch kind {
        case let .plain(up, down):
            var hidden = up(x)
            activation.apply(&hidden)
            return down(hidden)
        case let .gated(gate, up, down):
            var gated = gate(x)
            activation.apply(&gated)
            return down(Tensor.binary(gated, up(x), .multiply))
        case let .fusedGated(gateUp, down, width):
            let fused = gateUp(x)
            var gated = fused.slice(uncheckedAxis: 1, range: 0..<width)
            activation.apply(&gated)
            return down(Tensor.binary(gated, fused.slice(uncheckedAxis: 1, range: width..<(2 * width)), .multiply))
        case let .mixture(moe):
            return moe(x)
        }
    }

    func watched(on tape: GradientTape) -> FeedForward {
        var f = self
        f.kind = switch kind {
        case let .plain(up, down): .plain(up: up.watched(on: tape), down: down.watched(on: tape))
        case let .gated(gate, up, down): .gated(gate: gate.watched(on: tape), up: up.watched(on: tape), down: down.watched(on: tape))
        case let .fusedGated(gateUp, down, width): .fusedGated(gateUp: gateUp.watched(on: tape), down: down.watched(on: tape), width: width)
        case let .mixture(moe): .mixture(moe.watched(on: tape))
        }
        return f
    }
}
