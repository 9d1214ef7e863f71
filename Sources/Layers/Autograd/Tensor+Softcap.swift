import Foundation

extension Tensor {
    /// c·tanh(x/c) for every element (Gemma 2's `final_logit_softcapping`, computed in
    /// transformers' order: divide, tanh, multiply), which bounds the values to (−c, c) and
    /// keeps their order. Differentiable: the gradient is g·(1 − (y/c)²), y the output.
    /// O(n).
    package func softcapped(_ cap: Float) -> Tensor {
        unary({ Foundation.tanh($0 / cap) * cap }) { g, _, y in
            Tensor.binary(g, y.map { 1 - ($0 / cap) * ($0 / cap) }, .multiply)
        }
    }
}
