// quote.h — echoing untrusted input inside an error message, bounded.
// Contract: quote_input(s) returns s unchanged when it is at most `max`
// bytes long; otherwise its first bytes up to `max` (cut back to a UTF-8
// boundary so no code point is split), then "... (N bytes)" with the full
// length. Every message that repeats a name, path, key or value taken from
// input passes it through here, so no input can make an error unbounded.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace wippy {

inline constexpr size_t kQuoteMax = 200;

inline std::string quote_input(std::string_view s, size_t max = kQuoteMax) {
  if (s.size() <= max) return std::string(s);
  size_t cut = max;
  // Step back over continuation bytes (10xxxxxx) to the start of a code point.
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  std::string out(s.substr(0, cut));
  out += "... (";
  out += std::to_string(s.size());
  out += " bytes)";
  return out;
}

}  // namespace wippy
