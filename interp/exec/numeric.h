// numeric.h — WebAssembly numeric semantics that C++ operators do not give
// directly: float min/max (NaN propagation, -0 < +0), round-half-even,
// bitwise abs/neg/copysign (no NaN canonicalisation), checked and saturating
// float->int truncation, unaligned little-endian memory access.
#pragma once
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

namespace wippy::exec {

template <class F>
inline F fmin_wasm(F a, F b) {
  if (a != a || b != b) return a + b;  // quiet NaN from one of the inputs
  if (a == b) return std::signbit(a) ? a : b;
  return a < b ? a : b;
}
template <class F>
inline F fmax_wasm(F a, F b) {
  if (a != a || b != b) return a + b;
  if (a == b) return std::signbit(a) ? b : a;
  return a > b ? a : b;
}

inline float f32_abs(float x) { return std::bit_cast<float>(std::bit_cast<uint32_t>(x) & 0x7fffffffu); }
inline float f32_neg(float x) { return std::bit_cast<float>(std::bit_cast<uint32_t>(x) ^ 0x80000000u); }
inline float f32_copysign(float a, float b) {
  return std::bit_cast<float>((std::bit_cast<uint32_t>(a) & 0x7fffffffu) |
                              (std::bit_cast<uint32_t>(b) & 0x80000000u));
}
inline double f64_abs(double x) {
  return std::bit_cast<double>(std::bit_cast<uint64_t>(x) & 0x7fffffffffffffffull);
}
inline double f64_neg(double x) {
  return std::bit_cast<double>(std::bit_cast<uint64_t>(x) ^ 0x8000000000000000ull);
}
inline double f64_copysign(double a, double b) {
  return std::bit_cast<double>((std::bit_cast<uint64_t>(a) & 0x7fffffffffffffffull) |
                               (std::bit_cast<uint64_t>(b) & 0x8000000000000000ull));
}
// Rounding functions return a quiet NaN for any NaN input (libm may pass a
// signalling NaN through unchanged).
template <class F>
inline F f_ceil(F x) { return x != x ? x + x : std::ceil(x); }
template <class F>
inline F f_floor(F x) { return x != x ? x + x : std::floor(x); }
template <class F>
inline F f_trunc(F x) { return x != x ? x + x : std::trunc(x); }
inline float f32_nearest(float x) { return x != x ? x + x : __builtin_roundevenf(x); }
inline double f64_nearest(double x) { return x != x ? x + x : __builtin_roundeven(x); }

// Range checks for trapping truncation (x is exact in double for f32 inputs).
// Returns 0 if in range, 1 for NaN, 2 for overflow.
inline int trunc_check(double x, double lo_excl, double hi_excl) {
  if (x != x) return 1;
  if (!(x > lo_excl && x < hi_excl)) return 2;
  return 0;
}
inline constexpr double kI32Lo = -2147483649.0, kI32Hi = 2147483648.0;
inline constexpr double kU32Lo = -1.0, kU32Hi = 4294967296.0;
inline constexpr double kI64Lo = -9223372036854777856.0;  // next double below -2^63
inline constexpr double kI64Hi = 9223372036854775808.0;
inline constexpr double kU64Hi = 18446744073709551616.0;

template <class I, class F>
inline I trunc_sat(F x) {
  if (x != x) return 0;
  constexpr double lo = double(std::numeric_limits<I>::min());
  constexpr double hi = double(std::numeric_limits<I>::max()) + 1.0;  // exact power of two
  double d = double(x);
  if (d <= lo) return std::numeric_limits<I>::min();
  if (d >= hi) return std::numeric_limits<I>::max();
  return I(d);
}

template <class T>
inline T load_le(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}
template <class T>
inline void store_le(uint8_t* p, T v) {
  std::memcpy(p, &v, sizeof(T));
}

}  // namespace wippy::exec
