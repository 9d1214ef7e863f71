#ifndef SWIFTSIGHT_CKERNELS_MULTIVERSION_H
#define SWIFTSIGHT_CKERNELS_MULTIVERSION_H

// MULTIVERSION compiles a kernel for AVX-512 (x86-64-v4), AVX2+FMA (x86-64-v3) and baseline
// x86-64, and lets the dynamic loader pick one (target_clones: an ifunc resolver per function).
//
// Not under a sanitizer: the loader runs ifunc resolvers while it relocates the program, before
// the sanitizer's runtime has started, and the instrumented resolvers then touch its not yet
// mapped state (ThreadSanitizer's per-thread state, AddressSanitizer's shadow memory): the test
// binary dies at load. Sanitizer builds get one portable version of each kernel instead; they
// check memory and threads, not speed. (The GEMM's AVX-512 kernel is chosen at run time, not by
// an ifunc, so it is checked under sanitizers too.)

#if defined(__has_feature)
#if __has_feature(thread_sanitizer) || __has_feature(address_sanitizer) \
    || __has_feature(memory_sanitizer) || __has_feature(hwaddress_sanitizer)
#define SS_UNDER_SANITIZER 1
#endif
#endif
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
#define SS_UNDER_SANITIZER 1
#endif

#if defined(__x86_64__) && defined(__linux__) && !defined(SS_UNDER_SANITIZER)
#define MULTIVERSION __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define MULTIVERSION
#endif

#endif
