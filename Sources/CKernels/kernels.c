#include "CKernels.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "multiversion.h"

static inline float bits_to_float(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }
static inline uint32_t float_to_bits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }

// Cephes-style expf without branches, so loops over it vectorise:
// x = n ln2 + r with n rounded by the 1.5*2^23 trick, e^r by a degree-6 polynomial,
// 2^n built in the exponent bits.
static inline float exp_inline(float x) {
    float v = x < -87.33f ? -87.33f : x;
    v = v > 88.72f ? 88.72f : v;
    float t = v * 1.44269504088896341f + 12582912.0f;
    float n = t - 12582912.0f;
    float r = v - n * 0.693359375f;
    r = r + n * 2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    float e = p * (r * r) + r + 1.0f;
    uint32_t k = (float_to_bits(t) - 0x4B400000u + 127u) << 23;
    float result = e * bits_to_float(k);
    result = x > 88.72f ? INFINITY : result;
    return x < -87.33f ? 0.0f : result;
}

static inline float tanh_inline(float x) {
    float b = x < -10.0f ? -10.0f : (x > 10.0f ? 10.0f : x);
    float e = exp_inline(b + b);
    float t = 1.0f - 2.0f / (e + 1.0f);
    // Near 0, 1 - 2/(e+1) cancels; the odd series is exact to float there.
    float x2 = x * x;
    float s = x * (1.0f + x2 * (-1.0f / 3.0f + x2 * (2.0f / 15.0f + x2 * (-17.0f / 315.0f))));
    return fabsf(x) < 0.05f ? s : t;
}

// erf through the Numerical Recipes erfc fit (fractional error < 1.2e-7).
static inline float erf_inline(float x) {
    float z = fabsf(x);
    float t = 1.0f / (1.0f + 0.5f * z);
    float p = 0.17087277f;
    p = p * t - 0.82215223f;
    p = p * t + 1.48851587f;
    p = p * t - 1.13520398f;
    p = p * t + 0.27886807f;
    p = p * t - 0.18628806f;
    p = p * t + 0.09678418f;
    p = p * t + 0.37409196f;
    p = p * t + 1.00002368f;
    p = p * t - 1.26551223f;
    float r = 1.0f - t * exp_inline(p - z * z);
    return x < 0.0f ? -r : r;
}

MULTIVERSION void ss_exp(const float *x, float *out, size_t n) {
    for (size_t i = 0; i < n; i++) out[i] = exp_inline(x[i]);
}

MULTIVERSION void ss_tanh(const float *x, float *out, size_t n) {
    for (size_t i = 0; i < n; i++) out[i] = tanh_inline(x[i]);
}

MULTIVERSION void ss_erf(const float *x, float *out, size_t n) {
    for (size_t i = 0; i < n; i++) out[i] = erf_inline(x[i]);
}

MULTIVERSION void ss_gelu_tanh(float *x, size_t n) {
    for (size_t i = 0; i < n; i++) {
        float v = x[i];
        x[i] = 0.5f * v * (1.0f + tanh_inline(0.7978845608028654f * (v + 0.044715f * v * v * v)));
    }
}

MULTIVERSION void ss_gelu_erf(float *x, size_t n) {
    for (size_t i = 0; i < n; i++) {
        float v = x[i];
        x[i] = 0.5f * v * (1.0f + erf_inline(v * 0.7071067811865476f));
    }
}

MULTIVERSION void ss_silu(float *x, size_t n) {
    for (size_t i = 0; i < n; i++) x[i] = x[i] / (1.0f + exp_inline(-x[i]));
}

MULTIVERSION void ss_relu(float *x, size_t n) {
    for (size_t i = 0; i < n; i++) x[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

MULTIVERSION void ss_add(float *a, const float *b, size_t n) {
    for (size_t i = 0; i < n; i++) a[i] += b[i];
}

MULTIVERSION void ss_softmax(float *x, size_t n, size_t valid) {
    if (valid == 0) { memset(x, 0, n * sizeof(float)); return; }
    float m = x[0];
    for (size_t i = 1; i < valid; i++) m = x[i] > m ? x[i] : m;
    float s = 0.0f;
    for (size_t i = 0; i < valid; i++) { x[i] = exp_inline(x[i] - m); s += x[i]; }
    float inv = 1.0f / s;
    for (size_t i = 0; i < valid; i++) x[i] *= inv;
    for (size_t i = valid; i < n; i++) x[i] = 0.0f;
}

MULTIVERSION void ss_layernorm(const float *x, float *out, size_t rows, size_t d,
                               const float *gamma, const float *beta, float eps) {
    for (size_t r = 0; r < rows; r++) {
        const float *row = x + r * d;
        float *o = out + r * d;
        float mean = 0.0f;
        for (size_t i = 0; i < d; i++) mean += row[i];
        mean /= (float)d;
        float var = 0.0f;
        for (size_t i = 0; i < d; i++) { float c = row[i] - mean; var += c * c; }
        float inv = 1.0f / sqrtf(var / (float)d + eps);
        if (beta) {
            for (size_t i = 0; i < d; i++) o[i] = (row[i] - mean) * inv * gamma[i] + beta[i];
        } else {
            for (size_t i = 0; i < d; i++) o[i] = (row[i] - mean) * inv * gamma[i];
        }
    }
}

// ---- Backward kernels (autodiff): dx = g * f'(x), PyTorch's derivative formulas. ----

MULTIVERSION void ss_gelu_tanh_backward(const float *x, const float *g, float *dx, size_t n) {
    const float beta = 0.7978845608028654f, kappa = 0.044715f;
    for (size_t i = 0; i < n; i++) {
        float v = x[i];
        float v2 = v * v;
        float t = tanh_inline(beta * (v + kappa * v2 * v));
        float left = 0.5f * v;
        float right = 1.0f + t;
        float d = 0.5f * right + left * (1.0f - t * t) * beta * (1.0f + 3.0f * kappa * v2);
        dx[i] = g[i] * d;
    }
}

MULTIVERSION void ss_gelu_erf_backward(const float *x, const float *g, float *dx, size_t n) {
    // d/dx 0.5·x·(1 + erf(x/√2)) = cdf(x) + x·pdf(x).
    for (size_t i = 0; i < n; i++) {
        float v = x[i];
        float cdf = 0.5f * (1.0f + erf_inline(v * 0.7071067811865476f));
        float pdf = exp_inline(-0.5f * v * v) * 0.3989422804014327f;
        dx[i] = g[i] * (cdf + v * pdf);
    }
}

MULTIVERSION void ss_silu_backward(const float *x, const float *g, float *dx, size_t n) {
    for (size_t i = 0; i < n; i++) {
        float s = 1.0f / (1.0f + exp_inline(-x[i]));
        dx[i] = g[i] * s * (1.0f + x[i] * (1.0f - s));
    }
}

MULTIVERSION void ss_relu_backward(const float *x, const float *g, float *dx, size_t n) {
    for (size_t i = 0; i < n; i++) dx[i] = x[i] > 0.0f ? g[i] : 0.0f;
}

// The mean and 1/sqrt(var + eps) of one row, summed in the same order as ss_layernorm.
static inline void layernorm_row_stats(const float *row, size_t d, float eps, float *mean, float *rstd) {
    float m = 0.0f;
    for (size_t i = 0; i < d; i++) m += row[i];
    m /= (float)d;
    float var = 0.0f;
    for (size_t i = 0; i < d; i++) { float c = row[i] - m; var += c * c; }
    *mean = m;
    *rstd = 1.0f / sqrtf(var / (float)d + eps);
}

MULTIVERSION void ss_layernorm_backward(const float *x, const float *g, float *dx, size_t rows, size_t d,
                                        const float *gamma, float eps) {
    const float scale = 1.0f / (float)d;
    for (size_t r = 0; r < rows; r++) {
        const float *row = x + r * d, *gr = g + r * d;
        float *o = dx + r * d;
        float mean, rstd;
        layernorm_row_stats(row, d, eps, &mean, &rstd);
        // PyTorch's CPU kernel: dx = a·g·γ + b·x + c with the row sums ds = Σ g·γ·x, db = Σ g·γ.
        float ds = 0.0f, db = 0.0f;
        for (size_t i = 0; i < d; i++) { float gg = gr[i] * gamma[i]; ds += gg * row[i]; db += gg; }
        float b = (db * mean - ds) * rstd * rstd * rstd * scale;
        float c = -b * mean - db * rstd * scale;
        for (size_t i = 0; i < d; i++) o[i] = rstd * gr[i] * gamma[i] + b * row[i] + c;
    }
}

MULTIVERSION void ss_layernorm_param_backward(const float *x, const float *g, size_t rows, size_t d, float eps,
                                              float *dgamma, float *dbeta) {
    for (size_t r = 0; r < rows; r++) {
        const float *row = x + r * d, *gr = g + r * d;
        float mean, rstd;
        layernorm_row_stats(row, d, eps, &mean, &rstd);
        if (dgamma) for (size_t i = 0; i < d; i++) dgamma[i] += gr[i] * (row[i] - mean) * rstd;
        if (dbeta) for (size_t i = 0; i < d; i++) dbeta[i] += gr[i];
    }
}

// ---- One query row against many keys (attention in a generation step) ----
// OpenBLAS threads a matrix-vector product above 9216 elements (64 keys of 144 dimensions), and
// attention already runs its heads on every core, so these stay on the calling thread.

MULTIVERSION void ss_row_by_rows(const float *x, const float *b, size_t ldb, size_t n, size_t k,
                                 float alpha, float *y) {
    for (size_t j = 0; j < n; j++) {
        const float *r = b + j * ldb;
        // Sixteen partial sums, so the loop vectorises without reordering a single sum.
        float acc[16] = {0};
        size_t p = 0;
        for (; p + 16 <= k; p += 16)
            for (size_t l = 0; l < 16; l++) acc[l] += x[p + l] * r[p + l];
        float s = 0.0f;
        for (size_t l = 0; l < 16; l++) s += acc[l];
        for (; p < k; p++) s += x[p] * r[p];
        y[j] = alpha * s;
    }
}

MULTIVERSION void ss_row_by_matrix(const float *x, const float *b, size_t ldb, size_t n, size_t k,
                                   float *y) {
    for (size_t p = 0; p < k; p++) y[p] = 0.0f;
    for (size_t j = 0; j < n; j++) {
        const float *r = b + j * ldb;
        const float xj = x[j];
        for (size_t p = 0; p < k; p++) y[p] += xj * r[p];
    }
}
