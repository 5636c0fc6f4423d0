// numbers.cpp — numeric literal parsing; see numbers.h for the contract.
#include "interp/text/numbers.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>

namespace wippy::text {
namespace {

bool is_digit(char c, bool hex) {
  if (c >= '0' && c <= '9') return true;
  return hex && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'));
}

// Consumes digit ('_'? digit)* at s[i...]; appends the digits to `out`.
// Returns false when there is no digit or an '_' is misplaced.
bool take_digits(std::string_view s, size_t& i, bool hex, std::string& out) {
  if (i >= s.size() || !is_digit(s[i], hex)) return false;
  while (i < s.size()) {
    if (is_digit(s[i], hex)) {
      out += s[i++];
    } else if (s[i] == '_') {
      if (i + 1 >= s.size() || !is_digit(s[i + 1], hex)) return false;
      ++i;
    } else {
      break;
    }
  }
  return true;
}

unsigned digit_value(char c) {
  if (c >= '0' && c <= '9') return unsigned(c - '0');
  if (c >= 'a' && c <= 'f') return unsigned(c - 'a' + 10);
  return unsigned(c - 'A' + 10);
}

// Magnitude of an unsigned literal; Range if it exceeds 2^64-1.
NumStatus magnitude(std::string_view s, uint64_t& out) {
  bool hex = s.size() > 2 && s[0] == '0' && s[1] == 'x';
  size_t i = hex ? 2 : 0;
  std::string digits;
  if (!take_digits(s, i, hex, digits) || i != s.size()) return NumStatus::Syntax;
  uint64_t base = hex ? 16 : 10;
  uint64_t v = 0;
  bool overflow = false;
  for (char c : digits) {
    uint64_t d = digit_value(c);
    if (v > (UINT64_MAX - d) / base) overflow = true;
    v = v * base + d;
  }
  if (overflow) return NumStatus::Range;
  out = v;
  return NumStatus::Ok;
}

struct FloatParts {
  bool negative = false;
  enum { Finite, Inf, Nan, NanPayload } kind = Finite;
  uint64_t payload = 0;
  std::string clean;  // for Finite: text for strtod without '_' (and without sign)
};

NumStatus split_float(std::string_view s, FloatParts& p) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    p.negative = s[i] == '-';
    ++i;
  }
  std::string_view rest = s.substr(i);
  if (rest == "inf") {
    p.kind = FloatParts::Inf;
    return NumStatus::Ok;
  }
  if (rest == "nan") {
    p.kind = FloatParts::Nan;
    return NumStatus::Ok;
  }
  if (rest.substr(0, 6) == "nan:0x") {
    p.kind = FloatParts::NanPayload;
    NumStatus st = magnitude(rest.substr(4), p.payload);
    return st;
  }
  bool hex = rest.size() > 2 && rest[0] == '0' && rest[1] == 'x';
  size_t j = hex ? 2 : 0;
  std::string& c = p.clean;
  if (hex) c = "0x";
  if (!take_digits(rest, j, hex, c)) return NumStatus::Syntax;
  if (j < rest.size() && rest[j] == '.') {
    c += '.';
    ++j;
    if (j < rest.size() && is_digit(rest[j], hex)) {
      if (!take_digits(rest, j, hex, c)) return NumStatus::Syntax;
    }
  }
  if (j < rest.size() && (hex ? (rest[j] == 'p' || rest[j] == 'P') : (rest[j] == 'e' || rest[j] == 'E'))) {
    c += hex ? 'p' : 'e';
    ++j;
    if (j < rest.size() && (rest[j] == '+' || rest[j] == '-')) c += rest[j++];
    if (!take_digits(rest, j, false, c)) return NumStatus::Syntax;
  } else if (hex) {
    c += "p0";
  }
  if (j != rest.size()) return NumStatus::Syntax;
  return NumStatus::Ok;
}

}  // namespace

NumStatus parse_uint(std::string_view s, uint64_t max, uint64_t& out) {
  uint64_t v = 0;
  NumStatus st = magnitude(s, v);
  if (st != NumStatus::Ok) return st;
  if (v > max) return NumStatus::Range;
  out = v;
  return NumStatus::Ok;
}

NumStatus parse_int(std::string_view s, unsigned bits, uint64_t& out) {
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  uint64_t v = 0;
  NumStatus st = magnitude(s, v);
  if (st != NumStatus::Ok) return st;
  uint64_t umax = bits == 64 ? UINT64_MAX : (uint64_t(1) << bits) - 1;
  uint64_t nmax = uint64_t(1) << (bits - 1);
  if (negative) {
    if (v > nmax) return NumStatus::Range;
    v = (0 - v) & umax;
  } else if (v > umax) {
    return NumStatus::Range;
  }
  out = v;
  return NumStatus::Ok;
}

namespace {

// parse_f32 and parse_f64: F is float or double, Bits its bit pattern
// (uint32_t, uint64_t) and kFraction the width of its fraction field.
template <class F, class Bits, int kFraction>
NumStatus parse_float(std::string_view s, Bits& bits) {
  constexpr int kWidth = int(sizeof(Bits)) * 8;
  constexpr Bits kExpAll = ((Bits(1) << (kWidth - 1 - kFraction)) - 1) << kFraction;  // inf
  constexpr Bits kQuiet = Bits(1) << (kFraction - 1);                                    // canonical NaN bit
  FloatParts p;
  NumStatus st = split_float(s, p);
  if (st != NumStatus::Ok) return st;
  const Bits sign = p.negative ? Bits(1) << (kWidth - 1) : 0;
  switch (p.kind) {
    case FloatParts::Inf: bits = sign | kExpAll; return NumStatus::Ok;
    case FloatParts::Nan: bits = sign | kExpAll | kQuiet; return NumStatus::Ok;
    case FloatParts::NanPayload:
      if (p.payload == 0 || p.payload >= (uint64_t(1) << kFraction)) return NumStatus::Range;
      bits = sign | kExpAll | Bits(p.payload);
      return NumStatus::Ok;
    case FloatParts::Finite: break;
  }
  errno = 0;
  F f;
  if constexpr (sizeof(F) == 4) f = std::strtof(p.clean.c_str(), nullptr);
  else f = std::strtod(p.clean.c_str(), nullptr);
  if (std::isinf(f)) return NumStatus::Range;
  std::memcpy(&bits, &f, sizeof f);
  bits |= sign;
  return NumStatus::Ok;
}

}  // namespace

NumStatus parse_f32(std::string_view s, uint32_t& bits) { return parse_float<float, uint32_t, 23>(s, bits); }

NumStatus parse_f64(std::string_view s, uint64_t& bits) { return parse_float<double, uint64_t, 52>(s, bits); }

}  // namespace wippy::text

namespace wippy::text {

bool lane_shape(std::string_view shape, LaneShape& out) {
  if (shape == "i8x16") out = {16, 8, false};
  else if (shape == "i16x8") out = {8, 16, false};
  else if (shape == "i32x4") out = {4, 32, false};
  else if (shape == "i64x2") out = {2, 64, false};
  else if (shape == "f32x4") out = {4, 32, true};
  else if (shape == "f64x2") out = {2, 64, true};
  else return false;
  return true;
}

NumStatus parse_lane(std::string_view s, const LaneShape& shape, uint64_t& bits) {
  if (!shape.is_float) return parse_int(s, shape.lane_bits, bits);
  if (shape.lane_bits == 32) {
    uint32_t b = 0;
    NumStatus st = parse_f32(s, b);
    bits = b;
    return st;
  }
  return parse_f64(s, bits);
}

}  // namespace wippy::text
