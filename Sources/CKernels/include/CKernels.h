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

#endif
