/* matmul.c — floating-point kernel: dense double-precision matrix multiply.
 * run(n) multiplies two 128x128 matrices n times (fresh inputs each time,
 * C = A * B in i-k-j order) and returns a checksum of every element of C.
 * Inputs are small multiples of 1/4, so every product and sum is exact and
 * the result does not depend on evaluation order or fused multiply-add. */
#include "kernel.h"

#define DIM 128

static double A[DIM * DIM];
static double B[DIM * DIM];
static double C[DIM * DIM];

static double small_value(u32* seed) {
  return (double)((i32)(k_rand(seed) % 17u) - 8) * 0.25;
}

static u32 multiply_once(u32 seed) {
  for (u32 i = 0; i < DIM * DIM; i++) {
    A[i] = small_value(&seed);
    B[i] = small_value(&seed);
    C[i] = 0.0;
  }
  for (u32 i = 0; i < DIM; i++) {
    double* crow = &C[i * DIM];
    for (u32 k = 0; k < DIM; k++) {
      double a = A[i * DIM + k];
      const double* brow = &B[k * DIM];
      for (u32 j = 0; j < DIM; j++) crow[j] += a * brow[j];
    }
  }
  u32 h = 0;
  for (u32 i = 0; i < DIM * DIM; i++) h = k_mix(h, (u32)(i32)(C[i] * 4.0));
  return h;
}

int KERNEL_ENTRY(run)(int n) {
  u32 h = 0;
  for (int r = 0; r < n; r++) h = k_mix(h, multiply_once((u32)r * 7919u + 1u));
  return (int)h;
}
