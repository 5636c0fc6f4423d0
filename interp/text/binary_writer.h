// binary_writer.h — appending WebAssembly binary encodings to a byte vector:
// unsigned/signed LEB128, names (length-prefixed bytes) and sections.
#pragma once
#include "interp/types.h"
#include <cstdint>
#include <string_view>
#include <vector>

namespace wippy::text {

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

// A heap type (kHeapFunc, kHeapExtern or kHeapTypeBase + index) as s33.
inline void put_heap_type(Bytes& out, uint32_t heap) {
  if (heap >= kHeapTypeBase)
    put_s64(out, int64_t(heap - kHeapTypeBase));
  else
    out.push_back(uint8_t(heap));  // 0x70 / 0x6F are s33 -0x10 / -0x11
}

// A value type: one byte, or 0x63/0x64 and a heap type (typed references).
inline void put_valtype(Bytes& out, ValType t) {
  if (uint32_t(t) <= 0xFF) {
    out.push_back(uint8_t(t));
    return;
  }
  out.push_back(uint8_t(uint32_t(t) & 0xFF));
  put_heap_type(out, ref_heap(t));
}

inline void put_bytes(Bytes& out, const Bytes& b) { out.insert(out.end(), b.begin(), b.end()); }

inline void put_name(Bytes& out, std::string_view s) {
  put_u32(out, s.size());
  out.insert(out.end(), s.begin(), s.end());
}

inline void put_fixed(Bytes& out, uint64_t bits, int nbytes) {
  for (int i = 0; i < nbytes; ++i) out.push_back(uint8_t(bits >> (8 * i)));
}

// Section `id` with a count-prefixed body, skipped when count is 0.
inline void put_section(Bytes& out, uint8_t id, uint32_t count, const Bytes& body) {
  if (count == 0) return;
  Bytes content;
  put_u32(content, count);
  put_bytes(content, body);
  out.push_back(id);
  put_u32(out, content.size());
  put_bytes(out, content);
}

}  // namespace wippy::text
