// The layers with their parameters watched on a tape under checkpoint names, for parameter
// gradients (see GradientTape.watchParameter): `name` is the module's path in the checkpoint
// (`model.layers.0.mlp.up_proj`); the tensors are named `name.weight` and `name.bias`.
// Values are shared, not copied; without parameter gradients on the tape, nothing changes.

extension Linear {
    /// The same layer with its weight and bias watched as `name.weight` and `name.bias`.
    package func watched(on tape: GradientTape, name: String) -> Linear {
        // Same values, so any packed copy of the weight stays valid.
        withParameters(weight: tape.watchParameter(weight, name: name + ".weight"),
                       bias: bias.map { tape.watchParameter($0, name: name + ".bias") })
    }
}

extension LayerNorm {
    /// The same norm with its weight and bias watched as `name.weight` and `name.bias`.
    package func watched(on tape: GradientTape, name: String) -> LayerNorm {
        LayerNorm(weight: tape.watchParameter(weight, name: name + ".weight"),
                  bias: bias.map { tape.watchParameter($0, name: name + ".bias") }, epsilon: epsilon)
    }
}

extension RMSNorm {
    /// The same norm with its weight watched as `name.weight`.
    package func watched(on tape: GradientTape, name: String) -> RMSNorm {
        RMSNorm(weight: tape.watchParameter(weight, name: name + ".weight"), epsilon: epsilon, weightOffset: weightOffset)
    }
}

extension Embedding {
    /// The same table watched as `name.weight`.
    package func watched(on tape: GradientTape, name: String) -> Embedding {
        Embedding(table: tape.watchParameter(table, name: name + ".weight"))
    }
}
