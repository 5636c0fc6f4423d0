// binary_writer.h — the WebAssembly-specific encodings of the text
// encoders on top of base/leb128.h (LEB128, names, bytes): heap types, value
// types and count-prefixed sections.
#pragma once
#include <cstdint>
#include <vector>

#include "base/leb128.h"
#include "interp/types.h"

namespace wippy::text {

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
