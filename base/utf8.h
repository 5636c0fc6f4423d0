// utf8.h — the one UTF-8 validator, decoder and encoder of the tree.
// Well-formed means RFC 3629: no overlong forms, no surrogates
// (U+D800..U+DFFF), nothing above U+10FFFF, no truncated sequence.
// decode_utf8_char reads the sequence at s[i]: on success len is 1..4 and
// cp its scalar value; on failure len is 0 and bad_len says how many bytes
// the bad sequence spans (the lead byte alone when it starts no sequence,
// up to the first byte that is not a continuation, or the whole sequence
// when it decodes to an overlong form or a non-scalar), or 0 when the input
// ends inside the sequence. encode_utf8 appends a scalar value (< 0x110000)
// as UTF-8; is_unicode_scalar says whether a number is one (below 0x110000,
// not a surrogate). Pure functions; any thread.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace wippy {

inline bool is_unicode_scalar(uint64_t c) { return c < 0x110000 && !(c >= 0xD800 && c <= 0xDFFF); }

struct Utf8Char {
  char32_t cp = 0;
  uint8_t len = 0;      // bytes of the well-formed sequence; 0 when malformed
  uint8_t bad_len = 0;  // when malformed: bytes of the bad sequence; 0 when the input ends inside it
};

inline Utf8Char decode_utf8_char(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return uint8_t(s[i + k]); };
  uint32_t c = byte(0);
  if (c < 0x80) return {c, 1, 0};
  size_t n;
  uint32_t min;
  if ((c & 0xE0) == 0xC0) { n = 1; c &= 0x1F; min = 0x80; }
  else if ((c & 0xF0) == 0xE0) { n = 2; c &= 0x0F; min = 0x800; }
  else if ((c & 0xF8) == 0xF0) { n = 3; c &= 0x07; min = 0x10000; }
  else return {0, 0, 1};
  for (size_t k = 1; k <= n; ++k) {
    if (i + k >= s.size()) return {0, 0, 0};
    if ((byte(k) & 0xC0) != 0x80) return {0, 0, uint8_t(k)};
    c = (c << 6) | (byte(k) & 0x3F);
  }
  if (c < min || !is_unicode_scalar(c)) return {0, 0, uint8_t(n + 1)};
  return {c, uint8_t(n + 1), 0};
}

// True when all of `s` is well-formed UTF-8.
bool valid_utf8(std::string_view s);
inline bool valid_utf8(std::span<const uint8_t> b) {
  return valid_utf8(std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
}

void encode_utf8(char32_t c, std::string& out);

}  // namespace wippy
