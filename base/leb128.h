// leb128.h — the one binary writer of the tree: appending encodings to a
// byte vector (Bytes). put_u32 writes unsigned LEB128 and put_s64 signed
// LEB128 (shortest form, any value of the parameter's width: the names
// follow the WebAssembly u32/s64 encodings they are mostly used for);
// put_fixed writes the low `nbytes` bytes of `bits` little-endian; put_name
// a LEB128 length and the bytes; put_bytes appends bytes as they are.
// BinaryWriter is the same as a class that owns its bytes, with the
// WebAssembly module header and sections (id, LEB128 size, payload).
// Header-only, no state beyond the vector written to.
#pragma once
#include <bit>
#include <cstdint>
#include <string_view>
#include <vector>

namespace wippy {

using Bytes = std::vector<uint8_t>;

inline void put_u32(Bytes& out, uint64_t v) {
  do {
    uint8_t b = v & 0x7F;
    v >>= 7;
    if (v != 0) b |= 0x80;
    out.push_back(b);
  } while (v != 0);
}

inline void put_s64(Bytes& out, int64_t v) {
  while (true) {
    uint8_t b = v & 0x7F;
    v >>= 7;  // arithmetic shift
    bool done = (v == 0 && !(b & 0x40)) || (v == -1 && (b & 0x40));
    if (!done) b |= 0x80;
    out.push_back(b);
    if (done) break;
  }
}

inline void put_fixed(Bytes& out, uint64_t bits, int nbytes) {
  for (int i = 0; i < nbytes; ++i) out.push_back(uint8_t(bits >> (8 * i)));
}

inline void put_bytes(Bytes& out, const Bytes& b) { out.insert(out.end(), b.begin(), b.end()); }

inline void put_name(Bytes& out, std::string_view s) {
  put_u32(out, s.size());
  out.insert(out.end(), s.begin(), s.end());
}

class BinaryWriter {
 public:
  Bytes bytes;

  void byte(uint8_t b) { bytes.push_back(b); }
  void u32(uint64_t v) { put_u32(bytes, v); }
  void s64(int64_t v) { put_s64(bytes, v); }
  void f32(float f) { put_fixed(bytes, std::bit_cast<uint32_t>(f), 4); }
  void f64(double f) { put_fixed(bytes, std::bit_cast<uint64_t>(f), 8); }
  void name(std::string_view s) { put_name(bytes, s); }
  void append(const Bytes& b) { put_bytes(bytes, b); }
  // "\0asm" and version 1.
  void header() { put_fixed(bytes, 0x0000'0001'6d73'6100ull, 8); }
  // Section `id` whose payload is `body`.
  void section(uint8_t id, const BinaryWriter& body) {
    byte(id);
    u32(body.bytes.size());
    append(body.bytes);
  }
};

}  // namespace wippy
