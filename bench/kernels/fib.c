/* fib.c — call-heavy kernel: naive doubly recursive Fibonacci.
 * run(n) returns fib(n) modulo 2^32 (fib(0) = 0, fib(1) = 1). Work grows as
 * about 1.618^n calls. */
#include "kernel.h"

static u32 fib(u32 n) {
  if (n < 2) return n;
  return fib(n - 1) + fib(n - 2);
}

int KERNEL_ENTRY(run)(int n) {
  if (n < 0) n = 0;
  return (int)fib((u32)n);
}
