/* sieve.c — byte-array kernel: sieve of Eratosthenes.
 * run(n) sieves n times over a bit under 1 Mi numbers (the bound shifts a
 * little per pass) and returns a checksum of the prime counts and of the
 * largest primes found. */
#include "kernel.h"

#define SIEVE_MAX (1u << 20)

static u8 composite[SIEVE_MAX];

static u32 sieve_once(u32 limit) {
  for (u32 i = 0; i < limit; i++) composite[i] = 0;
  u32 count = 0, last = 0;
  for (u32 i = 2; i < limit; i++) {
    if (composite[i]) continue;
    count++;
    last = i;
    if (i > (limit - 1) / i) continue;  /* i*i >= limit */
    for (u32 j = i * i; j < limit; j += i) composite[j] = 1;
  }
  return k_mix(count, last);
}

int KERNEL_ENTRY(run)(int n) {
  u32 h = 0;
  for (int r = 0; r < n; r++) {
    u32 limit = SIEVE_MAX - (u32)(r % 97) * 13u;
    h = k_mix(h, sieve_once(limit));
  }
  return (int)h;
}
