import SwiftSightLayers

/// A block's MLP.
struct FeedForward: Sendable {
    enum Kind: Sendable {
        /// down(act(up(x))): GPT-2's `c_fc`/`c_proj`, GPT-NeoX's `dense_h_to_4h`/`dense_4h_to_h`.
        case plain(up: Projection, down: Projection)
        /// down(act(gate(x)) · up(x)): Llama's SwiGLU.
        case gated(gate: Projection, up: Projection, down: Projection)
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
        }
    }

    func watched(on tape: GradientTape) -> FeedForward {
        var f = self
        f.kind = switch kind {
        case let .plain(up, down): .plain(up: up.watched(on: tape), down: down.watched(on: tape))
        case let .gated(gate, up, down): .gated(gate: gate.watched(on: tape), up: up.watched(on: tape), down: down.watched(on: tape))
        }
        return f
    }
}
