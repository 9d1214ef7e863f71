#ifndef SWIFTSIGHT_CKERNELS_H
#define SWIFTSIGHT_CKERNELS_H

#include <stddef.h>

// Element-wise kernels of the layers, written as plain loops so the compiler vectorises them,
// and compiled for AVX-512, AVX2+FMA and baseline x86-64, picked at load time (target_clones).
// Every function works in place or from `x` to `out` (which may alias `x`), n elements.

/// e^x, relative error below 2e-7; 0 below -87.3, +inf above 88.7.
void ss_exp(const float *x, float *out, size_t n);
/// tanh(x), absolute error below 3e-7.
void ss_tanh(const float *x, float *out, size_t n);
/// erf(x), absolute error below 2e-7.
void ss_erf(const float *x, float *out, size_t n);
/// GELU, tanh form (`gelu_new`, `gelu_pytorch_tanh`).
void ss_gelu_tanh(float *x, size_t n);
/// GELU, exact erf form (`gelu`).
void ss_gelu_erf(float *x, size_t n);
/// x * sigmoid(x).
void ss_silu(float *x, size_t n);
/// max(x, 0).
void ss_relu(float *x, size_t n);
/// a += b.
void ss_add(float *a, const float *b, size_t n);
/// Softmax of the first `valid` entries in place (max subtracted); entries in [valid, n) become 0.
void ss_softmax(float *x, size_t n, size_t valid);
/// LayerNorm of `rows` rows of width d: (x - mean) / sqrt(var + eps) * gamma + beta (beta may be NULL).
void ss_layernorm(const float *x, float *out, size_t rows, size_t d,
                  const float *gamma, const float *beta, float eps);

// Backward kernels (autodiff): the gradient `g` of the output times the derivative at `x`,
// with PyTorch's formulas. `dx` may alias `g`.

/// GELU tanh form: g · (0.5·(1 + t) + 0.5·x·(1 − t²)·√(2/π)·(1 + 3·0.044715·x²)).
void ss_gelu_tanh_backward(const float *x, const float *g, float *dx, size_t n);
/// GELU erf form: g · (Φ(x) + x·φ(x)).
void ss_gelu_erf_backward(const float *x, const float *g, float *dx, size_t n);
/// SiLU: g · s·(1 + x·(1 − s)), s = sigmoid(x).
void ss_silu_backward(const float *x, const float *g, float *dx, size_t n);
/// ReLU: g where x > 0, else 0.
void ss_relu_backward(const float *x, const float *g, float *dx, size_t n);
/// LayerNorm input gradient for `rows` rows of width d (the statistics are recomputed from x).
void ss_layernorm_backward(const float *x, const float *g, float *dx, size_t rows, size_t d,
                           const float *gamma, float eps);
/// LayerNorm parameter gradients, added to `dgamma` and `dbeta` (either may be NULL).
void ss_layernorm_param_backward(const float *x, const float *g, size_t rows, size_t d, float eps,
                                 float *dgamma, float *dbeta);

#endif
