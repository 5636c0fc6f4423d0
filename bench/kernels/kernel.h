/* kernel.h — shared by every benchmark kernel (freestanding C, no libc).
 * Each kernel file defines one entry point, `int KERNEL_ENTRY(run)(int n)`,
 * which does an amount of work that grows with n and returns a checksum of
 * everything it computed. The same source is built twice:
 *   - for wasm32: the entry is plain `run` (exported with -Wl,--export=run);
 *   - natively with -DBENCH_NATIVE -DBENCH_PREFIX=<kernel>_: the entry is
 *     `<kernel>_run`, so all kernels can be linked into one harness binary.
 * Everything else in a kernel file must be `static`. Memory is static
 * arrays only (the module's linear memory in wasm); `run` must reinitialise
 * whatever it uses, so repeated calls return the same checksum. */
#ifndef BENCH_KERNEL_H
#define BENCH_KERNEL_H

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef signed char i8;
typedef short i16;
typedef int i32;
typedef long long i64;

#define KCAT2(a, b) a##b
#define KCAT(a, b) KCAT2(a, b)

#ifdef BENCH_NATIVE
#define KERNEL_ENTRY(fn) KCAT(BENCH_PREFIX, fn)
#else
#define KERNEL_ENTRY(fn) fn
#endif

/* Entry point declaration, the same in every kernel. */
int KERNEL_ENTRY(run)(int n);

/* Folds a 32-bit value into a running checksum (order-sensitive). */
static inline u32 k_mix(u32 h, u32 v) {
  h ^= v + 0x9e3779b9u + (h << 6) + (h >> 2);
  return h;
}

/* A small deterministic pseudo-random generator (linear congruential). */
static inline u32 k_rand(u32* state) {
  *state = *state * 1664525u + 1013904223u;
  return *state >> 8;
}

#endif
