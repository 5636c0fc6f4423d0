// numbers.h — numeric literals of the text format.
// Integers: optional sign, decimal or 0x-hex digits with single '_' between
// digits. Floats: the same plus fractions/exponents (hex floats use 'p'),
// inf, nan and nan:0x<payload>. Results are exact bit patterns; floats round
// to nearest-even. Status tells a syntax error (not a number of this kind)
// from a number that does not fit ("constant out of range").
#pragma once
#include <cstdint>
#include <string_view>

namespace wippy::text {

enum class NumStatus : uint8_t { Ok, Syntax, Range };

// Unsigned, no sign allowed; must be <= max.
NumStatus parse_uint(std::string_view s, uint64_t max, uint64_t& out);
// iN (N = 32 or 64): accepts -2^(N-1) .. 2^N-1, result in two's complement
// (zero-extended to 64 bits for N = 32).
NumStatus parse_int(std::string_view s, unsigned bits, uint64_t& out);
NumStatus parse_f32(std::string_view s, uint32_t& bits);
NumStatus parse_f64(std::string_view s, uint64_t& bits);

}  // namespace wippy::text

namespace wippy::text {

// v128 shapes: "i8x16" "i16x8" "i32x4" "i64x2" "f32x4" "f64x2".
struct LaneShape {
  unsigned lanes = 0;
  unsigned lane_bits = 0;
  bool is_float = false;
};
bool lane_shape(std::string_view shape, LaneShape& out);
// One lane literal of the shape: integer lanes accept -2^(N-1)..2^N-1.
NumStatus parse_lane(std::string_view s, const LaneShape& shape, uint64_t& bits);

}  // namespace wippy::text
