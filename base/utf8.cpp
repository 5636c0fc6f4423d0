// utf8.cpp — UTF-8 validation and encoding (base/utf8.h).
#include "base/utf8.h"

namespace wippy {

bool valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    if (uint8_t(s[i]) < 0x80) {
      ++i;
      continue;
    }
    Utf8Char ch = decode_utf8_char(s, i);
    if (ch.len == 0) return false;
    i += ch.len;
  }
  return true;
}

void encode_utf8(char32_t c, std::string& out) {
  if (c < 0x80) {
    out += char(c);
    return;
  }
  if (c < 0x800) {
    out += char(0xC0 | (c >> 6));
  } else if (c < 0x10000) {
    out += char(0xE0 | (c >> 12));
    out += char(0x80 | ((c >> 6) & 0x3F));
  } else {
    out += char(0xF0 | (c >> 18));
    out += char(0x80 | ((c >> 12) & 0x3F));
    out += char(0x80 | ((c >> 6) & 0x3F));
  }
  out += char(0x80 | (c & 0x3F));
}

}  // namespace wippy
