/* simd.c — a SIMD guest: auto-vectorised loops (-msimd128 -O2) and
   wasm_simd128.h intrinsics on the corner cases where x86 instructions and
   WebAssembly disagree (NaN and signed zeros in min/max, saturating
   float->int, narrowing, q15mulr, rounding). Built natively (no
   __wasm_simd128__) the same program computes every result with the scalar
   rules of the spec instead; simd_native.sh checks that that build prints
   simd.expected too, so wasm and native output are equal. */
#ifdef __wasm__
#include "cabi_realloc.h"
#endif
#include "guest_io.h"

#include <math.h>
#include <stdint.h>
#include <string.h>
#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

#define N 1024
static int32_t ai[N], bi[N], ci[N];
static uint8_t au[N], bu[N], cu[N];
static float af[N], bf[N], cf[N];

static uint32_t fnv(const void *p, size_t n) {
  const uint8_t *b = (const uint8_t *)p;
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 16777619u;
  return h;
}

/* ---- loops the compiler vectorises ---- */
static void loops(void) {
  uint32_t s = 12345;
  for (int i = 0; i < N; ++i) {
    s = s * 1103515245u + 12345u;
    ai[i] = (int32_t)s >> 3;
    bi[i] = (int32_t)(s >> 7) - 1000000;
    au[i] = (uint8_t)(s >> 11);
    bu[i] = (uint8_t)(s >> 19);
    af[i] = (float)(int32_t)(s >> 9) / 1024.0f - 100.0f;
    bf[i] = (float)(i % 37) - 18.0f;
  }
  for (int r = 0; r < 8; ++r) {
    for (int i = 0; i < N; ++i) ci[i] = ai[i] * 3 + (bi[i] >> 2) - (ai[i] ^ bi[i]);
    for (int i = 0; i < N; ++i) {
      unsigned t = (unsigned)au[i] + bu[i];
      cu[i] = (uint8_t)(t > 255 ? 255 : t);
    }
    for (int i = 0; i < N; ++i) cf[i] = af[i] * bf[i] - af[i];
    for (int i = 0; i < N; ++i) ai[i] = ci[i] < bi[i] ? ci[i] : bi[i];
    for (int i = 0; i < N; ++i) au[i] = cu[i] > au[i] ? cu[i] - au[i] : au[i] - cu[i];
  }
  int64_t sum = 0;
  for (int i = 0; i < N; ++i) sum += ci[i];
  say(1, "loops: i32 %08x u8 %08x f32 %08x sum %lld\n", fnv(ci, sizeof ci), fnv(cu, sizeof cu),
      fnv(cf, sizeof cf), (long long)sum);
}

/* ---- lane operations: intrinsics, or the spec's scalar rules ---- */
static float f32_of(uint32_t b) { float f; memcpy(&f, &b, 4); return f; }
static uint32_t bits_of(float f) { uint32_t b; memcpy(&b, &f, 4); return b; }
#ifndef __wasm_simd128__
static float qnan(float x) { return x + x; } /* quiets a NaN */
static float fmin_spec(float a, float b) {
  if (a != a || b != b) return qnan(a != a ? a : b);
  if (a == b) return signbit(a) ? a : b;
  return a < b ? a : b;
}
static float fmax_spec(float a, float b) {
  if (a != a || b != b) return qnan(a != a ? a : b);
  if (a == b) return signbit(a) ? b : a;
  return a > b ? a : b;
}
static int32_t sat_i32(float x) {
  if (x != x) return 0;
  if (x <= -2147483648.0f) return INT32_MIN;
  if (x >= 2147483648.0f) return INT32_MAX;
  return (int32_t)x;
}
static int8_t sat_i8(int16_t x) { return (int8_t)(x < -128 ? -128 : x > 127 ? 127 : x); }
static int16_t q15(int16_t a, int16_t b) {
  int32_t r = ((int32_t)a * b + 0x4000) >> 15;
  return (int16_t)(r > 32767 ? 32767 : r);
}
#endif

static void lanes(void) {
  /* inputs: NaN (with payload), +-0, infinities, values past int32 */
  uint32_t fin_bits[8] = {0x7fc01234u, 0x80000000u, 0x00000000u, 0x7f800000u,
                          0x3fc00000u, 0x4f000000u, 0xcf000001u, 0xc0200000u};
  float fa[4], fb[4];
  for (int i = 0; i < 4; ++i) fa[i] = f32_of(fin_bits[i]), fb[i] = f32_of(fin_bits[7 - i]);
  int16_t ha[8] = {-32768, -32768, 32767, 16384, -129, 200, 7, -1};
  int16_t hb[8] = {-32768, 32767, 32767, 16384, 300, -300, 128, -128};
  uint8_t idx[16] = {15, 0, 16, 3, 255, 7, 8, 31, 1, 1, 2, 2, 14, 13, 12, 200};
  uint8_t src[16];
  for (int i = 0; i < 16; ++i) src[i] = (uint8_t)(i * 17 + 3);
  float mn[4], mx[4], pmn[4], rnd[4], cvt_in[4] = {-2.5f, 2.5f, 3.5f, -0.5f};
  int32_t tr[4];
  int16_t q[8];
  int8_t nr[16], sw[16];
  uint32_t bm;
#ifdef __wasm_simd128__
  v128_t va = wasm_v128_load(fa), vb = wasm_v128_load(fb);
  wasm_v128_store(mn, wasm_f32x4_min(va, vb));
  wasm_v128_store(mx, wasm_f32x4_max(va, vb));
  wasm_v128_store(pmn, wasm_f32x4_pmin(va, vb));
  wasm_v128_store(rnd, wasm_f32x4_nearest(wasm_v128_load(cvt_in)));
  wasm_v128_store(tr, wasm_i32x4_trunc_sat_f32x4(vb));
  v128_t h1 = wasm_v128_load(ha), h2 = wasm_v128_load(hb);
  wasm_v128_store(q, wasm_i16x8_q15mulr_sat(h1, h2));
  wasm_v128_store(nr, wasm_i8x16_narrow_i16x8(h1, h2));
  wasm_v128_store(sw, wasm_i8x16_swizzle(wasm_v128_load(src), wasm_v128_load(idx)));
  bm = (uint32_t)wasm_i8x16_bitmask(wasm_v128_load(nr));
#else
  for (int i = 0; i < 4; ++i) {
    mn[i] = fmin_spec(fa[i], fb[i]);
    mx[i] = fmax_spec(fa[i], fb[i]);
    pmn[i] = fb[i] < fa[i] ? fb[i] : fa[i];
    rnd[i] = nearbyintf(cvt_in[i]);
    tr[i] = sat_i32(fb[i]);
  }
  for (int i = 0; i < 8; ++i) q[i] = q15(ha[i], hb[i]);
  for (int i = 0; i < 8; ++i) nr[i] = sat_i8(ha[i]), nr[8 + i] = sat_i8(hb[i]);
  for (int i = 0; i < 16; ++i) sw[i] = (int8_t)(idx[i] < 16 ? src[idx[i]] : 0);
  bm = 0;
  for (int i = 0; i < 16; ++i) bm |= (uint32_t)(nr[i] < 0) << i;
#endif
  say(1, "f32x4.min:");
  for (int i = 0; i < 4; ++i) say(1, " %08x", bits_of(mn[i]));
  say(1, "\nf32x4.max:");
  for (int i = 0; i < 4; ++i) say(1, " %08x", bits_of(mx[i]));
  say(1, "\nf32x4.pmin:");
  for (int i = 0; i < 4; ++i) say(1, " %08x", bits_of(pmn[i]));
  say(1, "\nf32x4.nearest:");
  for (int i = 0; i < 4; ++i) say(1, " %g", rnd[i]);
  say(1, "\ni32x4.trunc_sat_f32x4_s:");
  for (int i = 0; i < 4; ++i) say(1, " %d", tr[i]);
  say(1, "\ni16x8.q15mulr_sat_s:");
  for (int i = 0; i < 8; ++i) say(1, " %d", q[i]);
  say(1, "\ni8x16.narrow_i16x8_s:");
  for (int i = 0; i < 16; ++i) say(1, " %d", nr[i]);
  say(1, "\ni8x16.swizzle:");
  for (int i = 0; i < 16; ++i) say(1, " %d", sw[i]);
  say(1, "\ni8x16.bitmask: %04x\n", bm);
}

int main(void) {
  loops();
  lanes();
  return 0;
}
