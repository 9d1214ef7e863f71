// Debian's OpenBLAS 0.3.21 (DYNAMIC_ARCH) does not know recent CPUs and falls back to its
// SSE3 "Prescott" kernels, about 5x slower for SGEMM on an AVX-512 machine. OpenBLAS reads
// OPENBLAS_CORETYPE only while it initialises, which happens when the shared library is
// loaded, before any code of ours runs. So after load we set the variable and ask OpenBLAS
// to redo its kernel choice through two exported (unpublished) entry points.
#define _GNU_SOURCE
#include "COpenBLAS.h"

#include <cpuid.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

extern void gotoblas_dynamic_init(void);
extern void gotoblas_dynamic_quit(void);
extern void *blas_memory_alloc(int procpos);
extern void blas_memory_free(void *buffer);

static swiftsight_core_origin origin = swiftsight_core_openblas;
static char original_core[64];
static pthread_once_t once = PTHREAD_ONCE_INIT;

// The kernel family this CPU can run, by its feature bits; NULL if nothing better than SSE.
static const char *best_core_for_cpu(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return NULL;
    int avx2 = (b >> 5) & 1, avx512f = (b >> 16) & 1, avx512bw = (b >> 30) & 1, avx512vl = (b >> 31) & 1;
    // The OS must save the wide registers too (XCR0: SSE, AVX, and opmask/ZMM state).
    unsigned xa = 0, xd = 0, ecx1 = 0, tmp;
    if (!__get_cpuid(1, &tmp, &tmp, &ecx1, &tmp) || !((ecx1 >> 27) & 1)) return NULL;
    __asm__("xgetbv" : "=a"(xa), "=d"(xd) : "c"(0));
    int os_avx = (xa & 0x6) == 0x6, os_avx512 = (xa & 0xe6) == 0xe6;
    if (avx512f && avx512bw && avx512vl && os_avx512) {
        unsigned a1 = 0, b1, c1, d1;
        int bf16 = __get_cpuid_count(7, 1, &a1, &b1, &c1, &d1) && ((a1 >> 5) & 1);
        return bf16 ? "COOPERLAKE" : "SKYLAKEX";
    }
    if (avx2 && os_avx) return "HASWELL";
    return NULL;
}

// Cores OpenBLAS falls back to when it does not recognise a CPU.
static int is_generic_fallback(const char *name) {
    static const char *fallbacks[] = {"Prescott", "Core2", "Penryn", "Dunnington", "Nehalem", "Katmai", "Northwood"};
    for (size_t i = 0; i < sizeof fallbacks / sizeof *fallbacks; i++)
        if (strcasecmp(name, fallbacks[i]) == 0) return 1;
    return 0;
}

static void select_core_once(void) {
    if (getenv("OPENBLAS_CORETYPE") != NULL) { origin = swiftsight_core_environment; return; }
    const char *current = openblas_get_corename();
    if (current == NULL || !is_generic_fallback(current)) return;
    const char *best = best_core_for_cpu();
    if (best == NULL) return;
    strncpy(original_core, current, sizeof original_core - 1);
    // OpenBLAS's worker threads, started while the library loaded, each take a buffer when they
    // first run, and the first buffer ever taken initialises the buffer pool, which calls
    // gotoblas_dynamic_init too. A worker doing that between the quit and the init below raced
    // with us on the kernel table (a NULL dereference about once in a thousand starts on a busy
    // machine, or the slow kernels kept). Taking and returning a buffer here first initialises the
    // pool under its lock, so no worker reaches gotoblas_dynamic_init afterwards.
    blas_memory_free(blas_memory_alloc(0));
    setenv("OPENBLAS_CORETYPE", best, 0);
    gotoblas_dynamic_quit();
    gotoblas_dynamic_init();
    // Leave the environment as the user had it; the choice is made.
    unsetenv("OPENBLAS_CORETYPE");
    origin = swiftsight_core_selected;
}

swiftsight_core_origin swiftsight_openblas_select_core(void) {
    pthread_once(&once, select_core_once);
    return origin;
}

const char *swiftsight_openblas_original_core(void) { return original_core; }

__attribute__((constructor)) static void swiftsight_openblas_at_load(void) {
    swiftsight_openblas_select_core();
}
