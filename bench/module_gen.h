// module_gen.h — builds a large, valid WebAssembly module in memory for the
// `load` benchmark. Functions have varied bodies: integer and float
// arithmetic on all four number types, conversions (incl. saturating
// truncation and sign extension), loads and stores, globals, nested
// blocks/loops/ifs, br_if/br_table, early returns, direct calls and
// call_indirect through a table, select. The output is deterministic for a
// given size and seed. The code is meant to be decoded, validated and
// compiled, not run (call_indirect may trap; loops terminate).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace wippy::bench {

struct GeneratedModule {
  std::vector<uint8_t> bytes;
  uint32_t num_funcs = 0;
};

// A module of about `target_bytes` bytes (within a few KiB).
GeneratedModule generate_module(size_t target_bytes, uint64_t seed = 0x5eed);

}  // namespace wippy::bench
