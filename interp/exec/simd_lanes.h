// simd_lanes.h — v128 lane arithmetic for the interpreter's SIMD handlers,
// in portable C++ (GCC/Clang vector extensions and per-lane loops the
// compiler vectorises; no intrinsics), so x86-64 and AArch64 builds agree.
// Every function is pure: lanes in, lanes out. Where a plain vector
// operator would give the host's answer rather than WebAssembly's (float
// min/max, rounding of NaN, float->int conversion, narrowing, q15mulr) the
// lanes go through numeric.h's scalar rules instead.
#pragma once
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

#include "interp/exec/numeric.h"

namespace wippy::exec::simd {

typedef int8_t i8x16 __attribute__((vector_size(16)));
typedef uint8_t u8x16 __attribute__((vector_size(16)));
typedef int16_t i16x8 __attribute__((vector_size(16)));
typedef uint16_t u16x8 __attribute__((vector_size(16)));
typedef int32_t i32x4 __attribute__((vector_size(16)));
typedef uint32_t u32x4 __attribute__((vector_size(16)));
typedef int64_t i64x2 __attribute__((vector_size(16)));
typedef uint64_t u64x2 __attribute__((vector_size(16)));
typedef float f32x4 __attribute__((vector_size(16)));
typedef double f64x2 __attribute__((vector_size(16)));

template <class V>
constexpr int lanes() { return int(sizeof(V) / sizeof(V{}[0])); }
template <class V>
using lane_t = std::remove_cvref_t<decltype(V{}[0])>;

// Unaligned 16-byte access (Value slots are 8-byte aligned).
template <class V>
inline V load(const void* p) {
  V v;
  std::memcpy(&v, p, 16);
  return v;
}
template <class V>
inline void store(void* p, V v) { std::memcpy(p, &v, 16); }
// Same bits, other lane shape.
template <class To, class From>
inline To as(From v) {
  To t;
  std::memcpy(&t, &v, 16);
  return t;
}

template <class V, class F>
inline V map1(V a, F f) {
  V r{};
  for (int i = 0; i < lanes<V>(); ++i) r[i] = f(a[i]);
  return r;
}
template <class V, class F>
inline V map2(V a, V b, F f) {
  V r{};
  for (int i = 0; i < lanes<V>(); ++i) r[i] = f(a[i], b[i]);
  return r;
}

// ---- integer lanes ----
template <class V>  // V signed
inline V abs(V a) {
  return map1(a, [](lane_t<V> x) {
    using L = lane_t<V>;
    using UL = std::make_unsigned_t<L>;
    return L(x < 0 ? UL(0) - UL(x) : UL(x));
  });
}
template <class V>
inline V neg(V a) {
  return map1(a, [](lane_t<V> x) {
    using UL = std::make_unsigned_t<lane_t<V>>;
    return lane_t<V>(UL(0) - UL(x));
  });
}
template <class L>
inline L sat(int64_t x) {
  constexpr int64_t lo = std::numeric_limits<L>::min(), hi = std::numeric_limits<L>::max();
  return L(x < lo ? lo : x > hi ? hi : x);
}
template <class V>
inline V add_sat(V a, V b) {
  return map2(a, b, [](lane_t<V> x, lane_t<V> y) { return sat<lane_t<V>>(int64_t(x) + int64_t(y)); });
}
template <class V>
inline V sub_sat(V a, V b) {
  return map2(a, b, [](lane_t<V> x, lane_t<V> y) { return sat<lane_t<V>>(int64_t(x) - int64_t(y)); });
}
template <class V>
inline V min(V a, V b) { return map2(a, b, [](lane_t<V> x, lane_t<V> y) { return x < y ? x : y; }); }
template <class V>
inline V max(V a, V b) { return map2(a, b, [](lane_t<V> x, lane_t<V> y) { return x > y ? x : y; }); }
template <class V>  // V unsigned
inline V avgr(V a, V b) {
  return map2(a, b, [](lane_t<V> x, lane_t<V> y) { return lane_t<V>((uint32_t(x) + uint32_t(y) + 1) >> 1); });
}
// Shift counts are taken modulo the lane width.
template <class V>
inline V shl(V a, uint32_t n) {
  constexpr uint32_t bits = 8 * sizeof(lane_t<V>);
  return a << lane_t<V>(n & (bits - 1));
}
template <class V>
inline V shr(V a, uint32_t n) {  // arithmetic for signed V, logical for unsigned
  constexpr uint32_t bits = 8 * sizeof(lane_t<V>);
  return a >> lane_t<V>(n & (bits - 1));
}
inline u8x16 popcnt(u8x16 a) {
  return map1(a, [](uint8_t x) { return uint8_t(__builtin_popcount(x)); });
}
template <class V>
inline uint32_t all_true(V a) {
  for (int i = 0; i < lanes<V>(); ++i)
    if (a[i] == 0) return 0;
  return 1;
}
template <class V>  // V signed: the top bit of each lane
inline uint32_t bitmask(V a) {
  uint32_t m = 0;
  for (int i = 0; i < lanes<V>(); ++i)
    if (a[i] < 0) m |= 1u << i;
  return m;
}
// Saturating narrow of two wide-lane vectors (a's lanes first) to N (signed
// or unsigned lanes of half the width); inputs are signed.
template <class N, class W>
inline N narrow(W a, W b) {
  N r{};
  constexpr int n = lanes<W>();
  for (int i = 0; i < n; ++i) r[i] = sat<lane_t<N>>(a[i]);
  for (int i = 0; i < n; ++i) r[n + i] = sat<lane_t<N>>(b[i]);
  return r;
}
// Lanes [half * n, half * n + n) of `a` widened to W (n = lanes of W).
template <class W, class V>
inline W extend(V a, int half) {
  W r{};
  constexpr int n = lanes<W>();
  for (int i = 0; i < n; ++i) r[i] = lane_t<W>(a[half * n + i]);
  return r;
}
template <class W, class V>
inline W extmul(V a, V b, int half) {
  W x = extend<W>(a, half), y = extend<W>(b, half);
  using U = std::make_unsigned_t<lane_t<W>>;
  return map2(x, y, [](lane_t<W> p, lane_t<W> q) { return lane_t<W>(U(p) * U(q)); });
}
template <class W, class V>
inline W extadd_pairwise(V a) {
  W r{};
  for (int i = 0; i < lanes<W>(); ++i) r[i] = lane_t<W>(lane_t<W>(a[2 * i]) + lane_t<W>(a[2 * i + 1]));
  return r;
}
inline i32x4 dot(i16x8 a, i16x8 b) {
  i32x4 r{};
  for (int i = 0; i < 4; ++i) {
    // only (-32768)^2 * 2 overflows; it wraps, as the spec says
    uint32_t s = uint32_t(int32_t(a[2 * i]) * b[2 * i]) + uint32_t(int32_t(a[2 * i + 1]) * b[2 * i + 1]);
    r[i] = int32_t(s);
  }
  return r;
}
inline i16x8 q15mulr_sat(i16x8 a, i16x8 b) {
  return map2(a, b, [](int16_t x, int16_t y) { return sat<int16_t>((int32_t(x) * y + 0x4000) >> 15); });
}
inline i8x16 swizzle(i8x16 a, u8x16 idx) {
  i8x16 r{};
  for (int i = 0; i < 16; ++i) r[i] = idx[i] < 16 ? a[idx[i]] : 0;
  return r;
}
inline i8x16 shuffle(i8x16 a, i8x16 b, const uint8_t* sel) {
  i8x16 r{};
  for (int i = 0; i < 16; ++i) r[i] = sel[i] < 16 ? a[sel[i]] : b[sel[i] & 15];
  return r;
}
inline u64x2 bitselect(u64x2 a, u64x2 b, u64x2 c) { return (a & c) | (b & ~c); }

// ---- float lanes ----
template <class V>
inline V fmin(V a, V b) { return map2(a, b, [](lane_t<V> x, lane_t<V> y) { return fmin_wasm(x, y); }); }
template <class V>
inline V fmax(V a, V b) { return map2(a, b, [](lane_t<V> x, lane_t<V> y) { return fmax_wasm(x, y); }); }
// pmin/pmax: b < a ? b : a and a < b ? b : a exactly (a NaN compare keeps a).
template <class V>
inline V pmin(V a, V b) { return map2(a, b, [](lane_t<V> x, lane_t<V> y) { return y < x ? y : x; }); }
template <class V>
inline V pmax(V a, V b) { return map2(a, b, [](lane_t<V> x, lane_t<V> y) { return x < y ? y : x; }); }
template <class V>
inline V fabs(V a) {
  return map1(a, [](lane_t<V> x) {
    if constexpr (sizeof(x) == 4) return f32_abs(x); else return f64_abs(x);
  });
}
template <class V>
inline V fneg(V a) {
  return map1(a, [](lane_t<V> x) {
    if constexpr (sizeof(x) == 4) return f32_neg(x); else return f64_neg(x);
  });
}
template <class V>
inline V ceil(V a) { return map1(a, [](lane_t<V> x) { return f_ceil(x); }); }
template <class V>
inline V floor(V a) { return map1(a, [](lane_t<V> x) { return f_floor(x); }); }
template <class V>
inline V trunc(V a) { return map1(a, [](lane_t<V> x) { return f_trunc(x); }); }
template <class V>
inline V nearest(V a) {
  return map1(a, [](lane_t<V> x) {
    if constexpr (sizeof(x) == 4) return f32_nearest(x); else return f64_nearest(x);
  });
}
template <class V>
inline V sqrt(V a) { return map1(a, [](lane_t<V> x) { return x != x ? x + x : std::sqrt(x); }); }

// Saturating float -> int32 lanes (NaN -> 0), then zero-filled upper lanes
// for the f64x2 forms.
template <class I>
inline auto trunc_sat_f32(f32x4 a) {
  using R = std::conditional_t<std::is_signed_v<I>, i32x4, u32x4>;
  R r{};
  for (int i = 0; i < 4; ++i) r[i] = trunc_sat<I>(a[i]);
  return r;
}
template <class I>
inline auto trunc_sat_f64_zero(f64x2 a) {
  using R = std::conditional_t<std::is_signed_v<I>, i32x4, u32x4>;
  R r = {};
  for (int i = 0; i < 2; ++i) r[i] = trunc_sat<I>(a[i]);
  return r;
}
template <class V>  // V = i32x4 or u32x4
inline f32x4 convert_f32(V a) {
  f32x4 r{};
  for (int i = 0; i < 4; ++i) r[i] = float(a[i]);
  return r;
}
template <class V>
inline f64x2 convert_low_f64(V a) { return f64x2{double(a[0]), double(a[1])}; }
// Relaxed dot products, deterministic: both operands signed; the i16 form
// saturates its pairwise sum, the i32 form adds four products and c (wrapping).
inline i16x8 relaxed_dot(i8x16 a, i8x16 b) {
  i16x8 r{};
  for (int i = 0; i < 8; ++i) r[i] = sat<int16_t>(int32_t(a[2 * i]) * b[2 * i] + int32_t(a[2 * i + 1]) * b[2 * i + 1]);
  return r;
}
inline i32x4 relaxed_dot_add(i8x16 a, i8x16 b, i32x4 c) {
  i32x4 r{};
  for (int i = 0; i < 4; ++i) {
    int32_t s = 0;
    for (int k = 0; k < 4; ++k) s += int32_t(a[4 * i + k]) * b[4 * i + k];
    r[i] = int32_t(uint32_t(s) + uint32_t(c[i]));
  }
  return r;
}
// Relaxed multiply-add, deterministic: unfused (two roundings) per lane.
template <class V>
inline V madd(V a, V b, V c) {
  V r{};
  for (int i = 0; i < lanes<V>(); ++i) {
    volatile lane_t<V> p = a[i] * b[i];  // no contraction into an fma
    r[i] = p + c[i];
  }
  return r;
}

inline f32x4 demote_zero(f64x2 a) { return f32x4{float(a[0]), float(a[1]), 0.0f, 0.0f}; }
inline f64x2 promote_low(f32x4 a) { return f64x2{double(a[0]), double(a[1])}; }

}  // namespace wippy::exec::simd
