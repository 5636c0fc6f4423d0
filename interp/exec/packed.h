// packed.h — the packed value layout used wherever values cross a call:
// params and results in consecutive 8-byte Value slots, a v128 taking two
// (low 8 bytes first). Functions without v128 types see one slot per value,
// exactly as before; wide functions (compiler.cpp) unpack on entry and pack
// around calls and returns. invoke() and host functions use this layout.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "interp/types.h"

namespace wippy::exec {

inline uint32_t slots_of(ValType t) { return t == ValType::V128 ? 2 : 1; }

inline bool has_v128(std::span<const ValType> ts) {
  for (ValType t : ts)
    if (t == ValType::V128) return true;
  return false;
}

// Total slots of `ts` packed.
inline uint32_t packed_slots(std::span<const ValType> ts) {
  uint32_t n = 0;
  for (ValType t : ts) n += slots_of(t);
  return n;
}

// Slot offset of each value of `ts` packed.
inline std::vector<uint32_t> packed_offsets(std::span<const ValType> ts) {
  std::vector<uint32_t> off;
  off.reserve(ts.size());
  uint32_t n = 0;
  for (ValType t : ts) {
    off.push_back(n);
    n += slots_of(t);
  }
  return off;
}

}  // namespace wippy::exec
