#ifndef SWIFTSIGHT_CKERNELS_H
#define SWIFTSIGHT_CKERNELS_H

#include <stddef.h>
#include <stdint.h>

// Element-wise kernels of the layers, written as plain loops so the compiler vectorises them,
// and compiled for AVX-512, AVX2+FMA and baseline x86-64, picked at load time (target_clones;
// one portable version under sanitizers, see multiversion.h).
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

/// One row times the transpose of B: y[j] = alpha · Σ_p x[p]·b[j·ldb + p], j < n (q·Kᵀ for one
/// query). On the calling thread.
void ss_row_by_rows(const float *x, const float *b, size_t ldb, size_t n, size_t k, float alpha, float *y);
/// One row times B: y[p] = Σ_j x[j]·b[j·ldb + p], p < k (P·V for one query). On the calling thread.
void ss_row_by_matrix(const float *x, const float *b, size_t ldb, size_t n, size_t k, float *y);

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

// Matrix products by pre-packed weights (gemm.c): C[m, n] = A[m, k] · W[k, n] (+ bias).
// W is packed once into panels of SS_GEMM_NR columns, each stored k-major ([k][NR], zero-padded
// past column n), so products read each weight once and never re-pack it. AVX-512 micro-kernel
// where the CPU has it; a plain C loop over the same layout elsewhere.

/// Columns per packed panel.
#define SS_GEMM_NR 48

/// Floats (or bf16 values) in the packed form of a k x n weight: ceil(n / NR) * NR * k.
size_t ss_gemm_packed_count(size_t k, size_t n);
/// Whether the AVX-512 kernel runs on this CPU (F, BW, VL, DQ and OS support for ZMM state).
int ss_gemm_has_avx512(void);
/// Memory for a packed weight: 64-byte aligned, and for 2 MB or more 2 MB aligned and marked for
/// transparent huge pages. NULL when out of memory. Free with ss_gemm_free_packed.
void *ss_gemm_alloc_packed(size_t bytes);
void ss_gemm_free_packed(void *p);
/// Packs panels [panel_begin, panel_end) of W (k x n; element (p, j) at w[p*stride_k + j*stride_n]).
void ss_gemm_pack_f32(const float *w, size_t k, size_t n, size_t stride_k, size_t stride_n,
                      float *packed, size_t panel_begin, size_t panel_end);
/// The same, rounding each weight to bfloat16 (to nearest, ties to even).
void ss_gemm_pack_bf16(const float *w, size_t k, size_t n, size_t stride_k, size_t stride_n,
                       uint16_t *packed, size_t panel_begin, size_t panel_end);
/// Elements [begin, end) of a Float32 packed weight rounded to bfloat16: the bfloat16 packed
/// form of the same weight (the layouts match element for element).
void ss_gemm_round_packed_to_bf16(const float *packed, size_t begin, size_t end, uint16_t *out);
/// One float rounded to bfloat16 (to nearest, ties to even; NaN stays NaN).
uint16_t ss_float_to_bf16(float x);
/// Floats in the packed form of an m x k activation matrix: ceil(m / 8) * 8 * k.
size_t ss_gemm_packed_a_count(size_t m, size_t k);
/// Packs A (m x k, row-major, leading dimension lda) into blocks of 8 rows, each stored k-major
/// ([k][8], zero rows past m), so the kernel broadcasts its values from one stream.
void ss_gemm_pack_a(size_t m, size_t k, const float *a, size_t lda, float *packed);
/// Columns [panel_begin * NR, min(panel_end * NR, n)) of C = A·W (+ bias, which may be NULL) for
/// all m rows; A packed by ss_gemm_pack_a. Float32 accumulation in k order.
void ss_gemm_packed_f32(size_t m, size_t n, size_t k, const float *a, const float *packed,
                        const float *bias, float *c, size_t ldc, size_t panel_begin, size_t panel_end);
/// The same with bfloat16 weights, widened to Float32 in registers (activations stay Float32).
void ss_gemm_packed_bf16(size_t m, size_t n, size_t k, const float *a, const uint16_t *packed,
                         const float *bias, float *c, size_t ldc, size_t panel_begin, size_t panel_end);
/// Element j of one row's product a[0..<k]·W, starting from `init` (the bias or 0): exactly the
/// value ss_gemm_packed_f32 computes for it (one fused multiply-add per p, in order). W packed
/// by ss_gemm_pack_f32; `a` unpacked, contiguous.
float ss_gemm_packed_column_f32(size_t k, const float *a, const float *packed, size_t j, float init);
/// The k block of the kernel when m is large (default 0 = none: the whole of k at once). For tuning only.
void ss_gemm_set_k_block(size_t kc);

// A pool of worker threads for parallel loops (pool.c): they spin briefly between loops, so
// back-to-back loops (the products of a generation step) do not pay a wake-up each.

/// One task of a loop: `task` in [0, tasks).
typedef void (*ss_pool_task)(void *context, size_t task);
/// Runs fn(context, t) for every t in [0, tasks) on the calling thread and the pool's workers,
/// returning 1 when all have run. Returns 0 without running any when the loop should run on the
/// caller alone: one task, no workers (one core, or not Linux), or the pool busy with another loop.
int ss_pool_run(size_t tasks, ss_pool_task fn, void *context);
/// Whether the pool has workers: Linux with more than one core. Elsewhere callers spread their
/// loops another way (Parallel.swift uses Dispatch).
int ss_pool_available(void);

#endif
