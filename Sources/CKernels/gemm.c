// Matrix products of activations by pre-packed weights: C[m, n] = A[m, k] · W[k, n] (+ bias).
//
// W is packed once (at model load) into panels of SS_GEMM_NR columns, each panel stored
// k-major ([k][NR] contiguous), so a product streams each weight exactly once per block of
// rows and never re-packs it (OpenBLAS's sgemm re-packs the whole weight on every call).
// The AVX-512 micro-kernel keeps an MR x 48 tile of C in 24 registers; elsewhere a plain C
// loop over the same layout is used (the Swift side prefers OpenBLAS there for Float32).
#include "CKernels.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define SS_HAVE_AVX512_PATH 1
#include <immintrin.h>
#define AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,fma,avx2")))
#endif

#include "multiversion.h"

#define NR SS_GEMM_NR
#define MR 8

size_t ss_gemm_packed_count(size_t k, size_t n) { return (n + NR - 1) / NR * NR * k; }

int ss_gemm_has_avx512(void) {
#ifdef SS_HAVE_AVX512_PATH
    // Every thread computes the same value, so a relaxed atomic cache is enough.
    static int cached = -1;
    int v = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (v < 0) {
        __builtin_cpu_init();
        // __builtin_cpu_supports also checks that the OS saves the ZMM state.
        v = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
            && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq");
        __atomic_store_n(&cached, v, __ATOMIC_RELAXED);
    }
    return v;
#else
    return 0;
#endif
}

// ---- Packing ----

void *ss_gemm_alloc_packed(size_t bytes) {
    // 2 MB aligned and marked for transparent huge pages: a product streams the whole weight, and
    // with 4 KB pages the hardware prefetchers stop at every page boundary and the TLB misses;
    // one-row products (generation) read 20-30 % faster this way on the machine we measured.
    const size_t huge = (size_t)2 << 20;
    void *p = NULL;
    if (bytes >= huge) {
        size_t rounded = (bytes + huge - 1) / huge * huge;
        if (posix_memalign(&p, huge, rounded) != 0) return NULL;
#if defined(__linux__) && defined(MADV_HUGEPAGE)
        madvise(p, rounded, MADV_HUGEPAGE);
#endif
        return p;
    }
    if (posix_memalign(&p, 64, bytes < 64 ? 64 : bytes) != 0) return NULL;
    return p;
}

void ss_gemm_free_packed(void *p) { free(p); }

void ss_gemm_pack_f32(const float *w, size_t k, size_t n, size_t stride_k, size_t stride_n,
                      float *packed, size_t panel_begin, size_t panel_end) {
    for (size_t jb = panel_begin; jb < panel_end; jb++) {
        float *out = packed + jb * k * NR;
        size_t cols = n - jb * NR < NR ? n - jb * NR : NR;
        if (stride_n == 1) {
            // An [in, out] weight: each row of the panel is a contiguous run of the source row.
            for (size_t p = 0; p < k; p++) {
                memcpy(out + p * NR, w + p * stride_k + jb * NR, cols * sizeof(float));
                for (size_t c = cols; c < NR; c++) out[p * NR + c] = 0.0f;
            }
            continue;
        }
        // Column by column, so an [out, in] weight is read along its rows.
        for (size_t c = 0; c < NR; c++) {
            if (c < cols) {
                const float *src = w + (jb * NR + c) * stride_n;
                for (size_t p = 0; p < k; p++) out[p * NR + c] = src[p * stride_k];
            } else {
                for (size_t p = 0; p < k; p++) out[p * NR + c] = 0.0f;
            }
        }
    }
}

uint16_t ss_float_to_bf16(float x) {
    uint32_t u;
    memcpy(&u, &x, 4);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((u >> 16) | 0x40);  // quiet NaN
    // Round to nearest, ties to even (what torch's .to(bfloat16) does).
    u += 0x7fffu + ((u >> 16) & 1u);
    return (uint16_t)(u >> 16);
}

void ss_gemm_round_packed_to_bf16(const float *packed, size_t begin, size_t end, uint16_t *out) {
    for (size_t i = begin; i < end; i++) out[i] = ss_float_to_bf16(packed[i]);
}

void ss_gemm_pack_bf16(const float *w, size_t k, size_t n, size_t stride_k, size_t stride_n,
                       uint16_t *packed, size_t panel_begin, size_t panel_end) {
    for (size_t jb = panel_begin; jb < panel_end; jb++) {
        uint16_t *out = packed + jb * k * NR;
        size_t cols = n - jb * NR < NR ? n - jb * NR : NR;
        if (stride_n == 1) {
            for (size_t p = 0; p < k; p++) {
                const float *src = w + p * stride_k + jb * NR;
                for (size_t c = 0; c < NR; c++) out[p * NR + c] = c < cols ? ss_float_to_bf16(src[c]) : 0;
            }
            continue;
        }
        for (size_t c = 0; c < NR; c++) {
            if (c < cols) {
                const float *src = w + (jb * NR + c) * stride_n;
                for (size_t p = 0; p < k; p++) out[p * NR + c] = ss_float_to_bf16(src[p * stride_k]);
            } else {
                for (size_t p = 0; p < k; p++) out[p * NR + c] = 0;
            }
        }
    }
}

size_t ss_gemm_packed_a_count(size_t m, size_t k) { return (m + MR - 1) / MR * MR * k; }

MULTIVERSION void ss_gemm_pack_a(size_t m, size_t k, const float *a, size_t lda, float *packed) {
    for (size_t i0 = 0; i0 < m; i0 += MR) {
        float *out = packed + i0 * k;
        size_t rows = m - i0 < MR ? m - i0 : MR;
        const float *src = a + i0 * lda;
        if (rows == MR) {
            // Written in order; the eight rows are read as eight sequential streams.
            for (size_t p = 0; p < k; p++)
                for (size_t r = 0; r < MR; r++) out[p * MR + r] = src[r * lda + p];
        } else {
            for (size_t p = 0; p < k; p++)
                for (size_t r = 0; r < MR; r++) out[p * MR + r] = r < rows ? src[r * lda + p] : 0.0f;
        }
    }
}

// ---- Portable path: the same layout, plain loops ----

static inline float bf16_to_float(uint16_t h) {
    uint32_t u = (uint32_t)h << 16;
    float f;
    memcpy(&f, &u, 4);
    return f;
}

// One panel of C for rows [0, m): C = A·P (+ bias) over the whole of k.
static void panel_generic(size_t m, size_t k, const float *a, const float *pf, const uint16_t *ph,
                          const float *bias, float *c, size_t ldc, size_t cols) {
    for (size_t i = 0; i < m; i++) {
        float acc[NR];
        for (size_t j = 0; j < NR; j++) acc[j] = bias && j < cols ? bias[j] : 0.0f;
        const float *ar = a + (i / MR) * k * MR + i % MR;
        for (size_t p = 0; p < k; p++) {
            float av = ar[p * MR];
            if (pf) { for (size_t j = 0; j < NR; j++) acc[j] += av * pf[p * NR + j]; }
            else { for (size_t j = 0; j < NR; j++) acc[j] += av * bf16_to_float(ph[p * NR + j]); }
        }
        for (size_t j = 0; j < cols; j++) c[i * ldc + j] = acc[j];
    }
}

static void gemm_generic(size_t m, size_t n, size_t k, const float *a, const float *pf,
                         const uint16_t *ph, const float *bias, float *c, size_t ldc,
                         size_t panel_begin, size_t panel_end) {
    for (size_t jb = panel_begin; jb < panel_end; jb++) {
        size_t cols = n - jb * NR < NR ? n - jb * NR : NR;
        panel_generic(m, k, a, pf ? pf + jb * k * NR : NULL, ph ? ph + jb * k * NR : NULL,
                      bias ? bias + jb * NR : NULL, c + jb * NR, ldc, cols);
    }
}

#ifdef SS_HAVE_AVX512_PATH
// ---- AVX-512 path ----

// Loads 16 packed weights as floats: plain, or bf16 widened (a bf16 is the top half of a float).
#define LOADB(p, is_bf16) ((is_bf16) \
    ? _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)(const void *)(p))), 16)) \
    : _mm512_loadu_ps((const float *)(const void *)(p)))

// An mr x 48 tile of C over kc steps of k. `init`: 0 = start from zero, 1 = from bias, 2 = add to C.
// Always inlined with constant mr and is_bf16, so the accumulators stay in registers.
static inline __attribute__((always_inline)) AVX512
void tile(const int mr, const int is_bf16, size_t kc, const float *a, const void *b,
          float *c, size_t ldc, int init, const float *bias, __mmask16 m0, __mmask16 m1, __mmask16 m2) {
    __m512 acc[MR][3];
    __m512 i0 = _mm512_setzero_ps(), i1 = i0, i2 = i0;
    if (init == 1) {
        i0 = _mm512_maskz_loadu_ps(m0, bias);
        i1 = _mm512_maskz_loadu_ps(m1, bias + 16);
        i2 = _mm512_maskz_loadu_ps(m2, bias + 32);
    }
    for (int r = 0; r < mr; r++) {
        if (init == 2) {
            acc[r][0] = _mm512_maskz_loadu_ps(m0, c + r * ldc);
            acc[r][1] = _mm512_maskz_loadu_ps(m1, c + r * ldc + 16);
            acc[r][2] = _mm512_maskz_loadu_ps(m2, c + r * ldc + 32);
        } else {
            acc[r][0] = i0; acc[r][1] = i1; acc[r][2] = i2;
        }
    }
    const size_t esize = is_bf16 ? 2 : 4;
    const char *bp = (const char *)b;
    for (size_t p = 0; p < kc; p++) {
        __m512 b0 = LOADB(bp, is_bf16);
        __m512 b1 = LOADB(bp + 16 * esize, is_bf16);
        __m512 b2 = LOADB(bp + 32 * esize, is_bf16);
        _mm_prefetch(bp + 16 * NR * esize, _MM_HINT_T0);
        bp += NR * esize;
        for (int r = 0; r < mr; r++) {
            __m512 av = _mm512_set1_ps(a[p * MR + r]);
            acc[r][0] = _mm512_fmadd_ps(av, b0, acc[r][0]);
            acc[r][1] = _mm512_fmadd_ps(av, b1, acc[r][1]);
            acc[r][2] = _mm512_fmadd_ps(av, b2, acc[r][2]);
        }
    }
    for (int r = 0; r < mr; r++) {
        _mm512_mask_storeu_ps(c + r * ldc, m0, acc[r][0]);
        _mm512_mask_storeu_ps(c + r * ldc + 16, m1, acc[r][1]);
        _mm512_mask_storeu_ps(c + r * ldc + 32, m2, acc[r][2]);
    }
}

#define TILE_CASE(R, BF) case R: tile(R, BF, kc, a, b, c, ldc, init, bias, m0, m1, m2); break;
#define DEFINE_TILES(NAME, BF) \
static AVX512 void NAME(int mr, size_t kc, const float *a, const void *b, float *c, size_t ldc, \
                        int init, const float *bias, __mmask16 m0, __mmask16 m1, __mmask16 m2) { \
    switch (mr) { TILE_CASE(8, BF) TILE_CASE(7, BF) TILE_CASE(6, BF) TILE_CASE(5, BF) \
                  TILE_CASE(4, BF) TILE_CASE(3, BF) TILE_CASE(2, BF) TILE_CASE(1, BF) default: break; } \
}
DEFINE_TILES(tiles_f32, 0)
DEFINE_TILES(tiles_bf16, 1)

// One row (a generation step) against four panels at once: four weight streams in flight
// instead of one, which is what a memory-bound product needs. Full panels only.
static inline __attribute__((always_inline)) AVX512
void row_by_4_panels(const int is_bf16, size_t k, const float *a, const char *b, size_t panel_bytes,
                     float *c, const float *bias) {
    __m512 acc[4][3];
    for (int q = 0; q < 4; q++)
        for (int v = 0; v < 3; v++)
            acc[q][v] = bias ? _mm512_loadu_ps(bias + q * NR + v * 16) : _mm512_setzero_ps();
    const size_t esize = is_bf16 ? 2 : 4;
    for (size_t p = 0; p < k; p++) {
        __m512 av = _mm512_set1_ps(a[p * MR]);
        for (int q = 0; q < 4; q++) {
            const char *bq = b + q * panel_bytes + p * NR * esize;
            _mm_prefetch(bq + 32 * NR * esize, _MM_HINT_T0);
            acc[q][0] = _mm512_fmadd_ps(av, LOADB(bq, is_bf16), acc[q][0]);
            acc[q][1] = _mm512_fmadd_ps(av, LOADB(bq + 16 * esize, is_bf16), acc[q][1]);
            acc[q][2] = _mm512_fmadd_ps(av, LOADB(bq + 32 * esize, is_bf16), acc[q][2]);
        }
    }
    for (int q = 0; q < 4; q++)
        for (int v = 0; v < 3; v++) _mm512_storeu_ps(c + q * NR + v * 16, acc[q][v]);
}

static AVX512 void row_by_4_panels_f32(size_t k, const float *a, const char *b, size_t pb, float *c, const float *bias) {
    row_by_4_panels(0, k, a, b, pb, c, bias);
}
static AVX512 void row_by_4_panels_bf16(size_t k, const float *a, const char *b, size_t pb, float *c, const float *bias) {
    row_by_4_panels(1, k, a, b, pb, c, bias);
}

static inline __mmask16 mask_for(size_t cols, size_t from) {
    if (cols <= from) return 0;
    size_t n = cols - from;
    return n >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << n) - 1u);
}

static AVX512 void gemm_avx512(size_t m, size_t n, size_t k, const float *a, const void *packed,
                               int is_bf16, const float *bias, float *c, size_t ldc,
                               size_t panel_begin, size_t panel_end, size_t kc_block) {
    const size_t esize = is_bf16 ? 2 : 4;
    // Few rows: the weights stream from memory once whatever the blocking; no need to revisit C.
    if (m == 1) {
        // Full panels four at a time; the rest (and a partial last panel) below.
        size_t full_end = panel_begin;
        while (full_end + 4 <= panel_end && (full_end + 4) * NR <= n) full_end += 4;
        for (size_t jb = panel_begin; jb < full_end; jb += 4) {
            const char *b = (const char *)packed + jb * k * NR * esize;
            if (is_bf16) row_by_4_panels_bf16(k, a, b, k * NR * esize, c + jb * NR, bias ? bias + jb * NR : NULL);
            else row_by_4_panels_f32(k, a, b, k * NR * esize, c + jb * NR, bias ? bias + jb * NR : NULL);
        }
        panel_begin = full_end;
    }
    size_t kcb = (m <= 2 * MR || kc_block == 0) ? k : kc_block;
    // Panel by panel; within one, k in blocks whose slice of the panel (kc x 48) stays in L1
    // while every block of rows passes over it, and the panel's column of C stays in L2.
    for (size_t jb = panel_begin; jb < panel_end; jb++) {
        size_t cols = n - jb * NR < NR ? n - jb * NR : NR;
        __mmask16 m0 = mask_for(cols, 0), m1 = mask_for(cols, 16), m2 = mask_for(cols, 32);
        const float *bb = bias ? bias + jb * NR : NULL;
        for (size_t k0 = 0; k0 < k; k0 += kcb) {
            size_t kc = k - k0 < kcb ? k - k0 : kcb;
            int init = k0 > 0 ? 2 : (bias ? 1 : 0);
            const char *b = (const char *)packed + (jb * k + k0) * NR * esize;
            for (size_t i0 = 0; i0 < m; i0 += MR) {
                int mr = (int)(m - i0 < MR ? m - i0 : MR);
                const float *ap = a + (i0 * k + k0 * MR);
                if (is_bf16) tiles_bf16(mr, kc, ap, b, c + i0 * ldc + jb * NR, ldc, init, bb, m0, m1, m2);
                else tiles_f32(mr, kc, ap, b, c + i0 * ldc + jb * NR, ldc, init, bb, m0, m1, m2);
            }
        }
    }
}
#endif

float ss_gemm_packed_column_f32(size_t k, const float *a, const float *packed, size_t j, float init) {
    // The same chain of fused multiply-adds, in the same order, as every path of the kernel
    // computes for element j (from the bias, p = 0 ..< k), so the value is bit for bit the same.
    const float *panel = packed + (j / NR) * k * NR + j % NR;
    float acc = init;
    for (size_t p = 0; p < k; p++) acc = fmaf(a[p], panel[p * NR], acc);
    return acc;
}

static size_t kc_block_size = 0;

void ss_gemm_set_k_block(size_t kc) { __atomic_store_n(&kc_block_size, kc, __ATOMIC_RELAXED); }

// One product of either element type: the vector kernel where the CPU has it, else plain loops.
static void gemm_packed(size_t m, size_t n, size_t k, const float *a, const float *pf, const uint16_t *ph,
                        const float *bias, float *c, size_t ldc, size_t panel_begin, size_t panel_end) {
#ifdef SS_HAVE_AVX512_PATH
    if (ss_gemm_has_avx512()) {
        gemm_avx512(m, n, k, a, pf ? (const void *)pf : (const void *)ph, pf == NULL, bias, c, ldc,
                    panel_begin, panel_end, __atomic_load_n(&kc_block_size, __ATOMIC_RELAXED));
        return;
    }
#endif
    gemm_generic(m, n, k, a, pf, ph, bias, c, ldc, panel_begin, panel_end);
}

void ss_gemm_packed_f32(size_t m, size_t n, size_t k, const float *a, const float *packed,
                        const float *bias, float *c, size_t ldc, size_t panel_begin, size_t panel_end) {
    gemm_packed(m, n, k, a, packed, NULL, bias, c, ldc, panel_begin, panel_end);
}

void ss_gemm_packed_bf16(size_t m, size_t n, size_t k, const float *a, const uint16_t *packed,
                         const float *bias, float *c, size_t ldc, size_t panel_begin, size_t panel_end) {
    gemm_packed(m, n, k, a, NULL, packed, bias, c, ldc, panel_begin, panel_end);
}
