// le_bytes.h — fixed-width little-endian integers appended to and read
// from byte strings: the one encoding of the code cache's files
// (module_codec.h, runtime/code_cache.h, runtime/component_cache.h).
// read_le reads exactly `n` bytes at `p`; callers check the bounds.
#pragma once
#include <bit>
#include <cstdint>
#include <cstring>
#include <vector>

namespace wippy {

inline void append_le(std::vector<uint8_t>& out, uint64_t v, int n) {
  for (int i = 0; i < n; ++i) out.push_back(uint8_t(v >> (8 * i)));
}

inline uint64_t read_le(const uint8_t* p, int n) {
  uint64_t v = 0;
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(&v, p, size_t(n));
  } else {
    for (int i = 0; i < n; ++i) v |= uint64_t(p[i]) << (8 * i);
  }
  return v;
}

}  // namespace wippy
