// memory.cpp — MemoryInst: mmap reservation, mprotect commit on grow (within
// max_pages and the owner store's memory limit), unmap.
#include <sys/mman.h>

#include "interp/runtime/memory_map.h"

namespace wippy {

bool reserve_memory(MemoryInst& m, const MemoryType& type) {
  m.type = type;
  uint64_t max_pages = kMaxPages;
  if (type.limits.has_max && type.limits.max < max_pages) max_pages = type.limits.max;
  if (type.limits.min > max_pages) return false;
  m.max_pages = max_pages;
  // Reserve at least one page so `data` is never null, even for (memory 0 0).
  uint64_t bytes = (max_pages ? max_pages : 1) * uint64_t(kPageSize);
  void* p = mmap(nullptr, bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) return false;
  m.data = static_cast<uint8_t*>(p);
  m.reserved = bytes;
  m.size = 0;
  if (type.limits.min > 0 && m.grow(uint32_t(type.limits.min)) == uint32_t(-1)) return false;
  return true;
}

MemoryInst::~MemoryInst() {
  if (data) munmap(data, reserved);
}

uint32_t MemoryInst::grow(uint32_t delta_pages) {
  uint64_t old_pages = size / kPageSize;
  uint64_t new_pages = old_pages + delta_pages;
  if (new_pages > max_pages || new_pages * kPageSize > reserved) return uint32_t(-1);
  if (delta_pages == 0) return uint32_t(old_pages);
  uint64_t new_size = new_pages * kPageSize;
  if (owner && !owner->memory_fits(new_size - size)) return uint32_t(-1);
  if (mprotect(data + size, new_size - size, PROT_READ | PROT_WRITE) != 0) return uint32_t(-1);
  size = new_size;
  return uint32_t(old_pages);
}

}  // namespace wippy
