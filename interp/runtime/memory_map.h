// memory_map.h — address-space reservation for linear memories, and the
// runtime's size caps for memories and tables (internal to interp/runtime).
// A memory reserves (effective max pages) * 64 KiB with PROT_NONE once and
// never moves; growing past MemoryInst::committed commits pages with
// mprotect (fresh pages read zero), kGrowHeadroom more than needed.
#pragma once
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "interp/store.h"

namespace wippy {

// A grow (or a new memory's minimum) that needs an mprotect opens this
// much past the new size as well, within the reservation: the next grows
// into it make no system call (on a lazy pool's fresh instances, whose
// guests grow their memory in the first call, an mprotect each).
inline constexpr uint64_t kGrowHeadroom = uint64_t{1} << 20;

// Tables never grow (or start) beyond this many elements.
inline constexpr uint64_t kMaxTableElems = 10'000'000;

// Reserves address space for `type` and commits its minimum size into `m`.
// `image`: the module's data image the memory is to hold (or null); a
// pool's block with it mapped is taken first (m.image is then set).
// Returns false if the reservation or the commit fails.
bool reserve_memory(MemoryInst& m, const MemoryType& type, const std::shared_ptr<const MemoryImage>& image = nullptr);

// Active data segments are about to be copied into `m` at these byte ranges
// [start, end) (outside ones are ignored). Each 2 MiB block of the memory
// that the copy writes at least an eighth of (256 KiB) is asked for a
// transparent huge page, so that the copy takes one fault there rather than
// one per 4 KiB page (a guest's data region is where it works, so the rest
// of such a block is mostly touched soon after); an instance then holds at
// most eight times what the copy writes in such a block. Advice only: a
// kernel that refuses it changes nothing. (Later instances of a module with
// large data map its image instead: data_image.h.)
void advise_data_blocks(MemoryInst& m, std::vector<std::pair<uint64_t, uint64_t>> ranges);

}  // namespace wippy
