import SwiftSightCKernels

/// Element-wise nonlinearities, by their Hugging Face `activation_function` names.
package enum Activation: String, Sendable, CaseIterable {
    /// `gelu_new` (GPT-2): 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
    case geluNew = "gelu_new"
    /// Exact GELU: 0.5·x·(1 + erf(x/√2)).
    case gelu = "gelu"
    /// `gelu_pytorch_tanh`: the same formula as `gelu_new`.
    case geluPytorchTanh = "gelu_pytorch_tanh"
    /// `gelu_fast`: 0.5·x·(1 + tanh(0.7978845608·x·(1 + 0.044715·x²))).
    case geluFast = "gelu_fast"
    /// x·sigmoid(x), also called SiLU.
    case silu = "silu"
    /// max(0, x).
    case relu = "relu"

    /// Parses a config name; `swish` is an alias of `silu`.
    package init?(configName: String) {
        if configName == "swish" { self = .silu } else { self.init(rawValue: configName) }
    }

    /// Applies the activation in place. O(n), vectorised.
    ///
    /// Differentiable: a tracked `x` is replaced by the result on a new node (the input is kept
    /// for the backward pass, so this one is not in place).
    package func apply(_ x: inout Tensor) {
        if x.link != nil { return recordedApply(&x) }
        x.withUnsafeMutableBuffer { buf in
            guard let base = buf.baseAddress else { return }
            Parallel.forRanges(buf.count, costPerItem: 8) { range in
                let p = base + range.lowerBound
                switch self {
                case .geluNew, .geluPytorchTanh, .geluFast: ss_gelu_tanh(p, range.count)
                case .gelu: ss_gelu_erf(p, range.count)
                case .silu: ss_silu(p, range.count)
                case .relu: ss_relu(p, range.count)
                }
            }
        }
    }

    /// The activation of `x`, as a new tensor. Differentiable.
    package func callAsFunction(_ x: Tensor) -> Tensor {
        var y = x
        apply(&y)
        return y
    }
}
