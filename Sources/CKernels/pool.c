// A small pool of worker threads for the layers' parallel loops (see Parallel.swift).
//
// Why not Dispatch: a generation step is about fifty products of one row by a weight matrix,
// each a couple of hundred microseconds, and handing each to threads that went to sleep after
// the previous one costs a futex wake-up and a context switch per product. These workers spin
// for a short while after their last task (as OpenBLAS's do), so back-to-back loops find them
// awake, and then sleep on a futex, so an idle program costs nothing.
//
// One loop runs at a time. A caller that finds the pool busy (another thread's loop, or a task
// calling back into the pool) runs its loop alone: the cores are busy anyway.
#include "CKernels.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <unistd.h>

#if defined(__linux__)
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#define SS_POOL_ENABLED 1
#endif

#ifdef SS_POOL_ENABLED

#define MAX_WORKERS 63
// How long a worker stays awake after its last task: covers the gap between two products of a
// step (a norm, an attention row) with room to spare, and is short next to a time slice.
#define SPIN_NANOSECONDS 200000L
// After this long a waiting thread yields its core between checks: when more threads are runnable
// than there are cores (several traces computing at once), the thread it waits for may need it.
#define YIELD_AFTER_NANOSECONDS 20000L

// One loop's parameters. Two slots, by generation parity, so a worker that wakes late reads the
// slot of the loop it saw while the next loop fills the other one; should a later loop have
// reused that slot, the ticket no longer names the worker's loop and it takes nothing.
typedef struct {
    _Atomic(ss_pool_task) fn;
    _Atomic(void *) context;
    atomic_size_t tasks;
} loop_slot;

static struct {
    pthread_mutex_t start_lock;   // held by the one caller whose loop runs
    atomic_uint generation;       // bumped for every loop (the futex word)
    _Atomic uint64_t ticket;      // generation << 32 | next task index; taken by compare-and-swap
    atomic_size_t finished;       // tasks finished in the current loop
    atomic_int sleepers;          // workers blocked (or about to block) on `generation`
    loop_slot slots[2];
    int workers;                  // threads started besides the callers
    pthread_once_t once;
} pool = { .start_lock = PTHREAD_MUTEX_INITIALIZER, .once = PTHREAD_ONCE_INIT };

static long futex(atomic_uint *address, int op, unsigned value) {
    return syscall(SYS_futex, (unsigned *)address, op, value, NULL, NULL, 0);
}

static long elapsed_ns(const struct timespec *since) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - since->tv_sec) * 1000000000L + (now.tv_nsec - since->tv_nsec);
}

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

// Takes tasks of loop `generation` until none is left. The ticket names the loop, so a task is
// taken only while that loop is the current one: a late worker finds another generation and stops.
static void work(unsigned generation) {
    loop_slot *slot = &pool.slots[generation & 1];
    ss_pool_task fn = atomic_load_explicit(&slot->fn, memory_order_acquire);
    void *context = atomic_load_explicit(&slot->context, memory_order_acquire);
    size_t tasks = atomic_load_explicit(&slot->tasks, memory_order_acquire);
    uint64_t ticket = atomic_load_explicit(&pool.ticket, memory_order_acquire);
    for (;;) {
        if ((unsigned)(ticket >> 32) != generation || (ticket & 0xffffffffu) >= tasks) return;
        if (!atomic_compare_exchange_weak_explicit(&pool.ticket, &ticket, ticket + 1,
                                                   memory_order_acq_rel, memory_order_acquire)) continue;
        fn(context, (size_t)(ticket & 0xffffffffu));
        atomic_fetch_add_explicit(&pool.finished, 1, memory_order_release);
        ticket = atomic_load_explicit(&pool.ticket, memory_order_acquire);
    }
}

static void *worker_main(void *unused) {
    (void)unused;
    unsigned seen = atomic_load_explicit(&pool.generation, memory_order_acquire);
    for (;;) {
        struct timespec since;
        clock_gettime(CLOCK_MONOTONIC, &since);
        unsigned now;
        int spins = 0;
        int yielding = 0;
        while ((now = atomic_load_explicit(&pool.generation, memory_order_acquire)) == seen) {
            if (yielding) sched_yield(); else cpu_relax();
            if (++spins % 64 != 0) continue;
            long waited = elapsed_ns(&since);
            yielding = waited > YIELD_AFTER_NANOSECONDS;
            if (waited > SPIN_NANOSECONDS) {
                atomic_fetch_add(&pool.sleepers, 1);
                // Sleeps only if no loop started since `seen` (the kernel re-checks the word).
                futex(&pool.generation, FUTEX_WAIT_PRIVATE, seen);
                atomic_fetch_sub(&pool.sleepers, 1);
                clock_gettime(CLOCK_MONOTONIC, &since);
                yielding = 0;
            }
        }
        seen = now;
        work(now);
    }
    return NULL;
}

static void start_workers(void) {
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int wanted = cores > 1 ? (int)(cores - 1) : 0;
    if (wanted > MAX_WORKERS) wanted = MAX_WORKERS;
    for (int i = 0; i < wanted; i++) {
        pthread_t thread;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        if (pthread_create(&thread, &attr, worker_main, NULL) == 0) pool.workers++;
        pthread_attr_destroy(&attr);
    }
}

int ss_pool_available(void) {
    pthread_once(&pool.once, start_workers);
    return pool.workers > 0;
}

int ss_pool_run(size_t tasks, ss_pool_task fn, void *context) {
    if (tasks == 0) return 1;
    pthread_once(&pool.once, start_workers);
    if (tasks == 1 || tasks > 0xffffffffu || pool.workers == 0
        || pthread_mutex_trylock(&pool.start_lock) != 0) return 0;
    unsigned generation = atomic_load_explicit(&pool.generation, memory_order_relaxed) + 1;
    loop_slot *slot = &pool.slots[generation & 1];
    atomic_store_explicit(&slot->fn, fn, memory_order_relaxed);
    atomic_store_explicit(&slot->context, context, memory_order_relaxed);
    atomic_store_explicit(&slot->tasks, tasks, memory_order_relaxed);
    atomic_store_explicit(&pool.finished, 0, memory_order_relaxed);
    atomic_store_explicit(&pool.ticket, (uint64_t)generation << 32, memory_order_release);
    atomic_store_explicit(&pool.generation, generation, memory_order_seq_cst);
    if (atomic_load_explicit(&pool.sleepers, memory_order_seq_cst) > 0)
        futex(&pool.generation, FUTEX_WAKE_PRIVATE, (unsigned)pool.workers);
    work(generation);
    // Every task was taken; wait for the ones still running on workers.
    for (int spins = 0; atomic_load_explicit(&pool.finished, memory_order_acquire) < tasks; spins++) {
        if (spins < 2000) cpu_relax(); else sched_yield();
    }
    pthread_mutex_unlock(&pool.start_lock);
    return 1;
}

#else

int ss_pool_available(void) { return 0; }

int ss_pool_run(size_t tasks, ss_pool_task fn, void *context) {
    (void)tasks; (void)fn; (void)context;
    return 0;
}

#endif
