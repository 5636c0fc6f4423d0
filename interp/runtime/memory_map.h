// memory_map.h — address-space reservation for linear memories, and the
// runtime's size caps for memories and tables (internal to interp/runtime).
// A memory reserves (effective max pages) * 64 KiB with PROT_NONE once and
// never moves; growing commits pages with mprotect (fresh pages read zero).
#pragma once
#include <cstdint>

#include "interp/store.h"

namespace wippy {

// Tables never grow (or start) beyond this many elements.
inline constexpr uint64_t kMaxTableElems = 10'000'000;

// Reserves address space for `type` and commits its minimum size into `m`.
// Returns false if the reservation or the commit fails.
bool reserve_memory(MemoryInst& m, const MemoryType& type);

}  // namespace wippy
