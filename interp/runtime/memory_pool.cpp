// memory_pool.cpp — MemoryPool (interp/memory_pool.h).
#include "interp/memory_pool.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstring>

namespace wippy {

MemoryPool::~MemoryPool() {
  for (const Block& b : free_) munmap(b.data, b.reserved);
}

std::optional<MemoryPool::Block> MemoryPool::take(uint64_t reserved) {
  std::lock_guard lock(mu_);
  for (size_t i = free_.size(); i-- > 0;) {
    if (free_[i].reserved != reserved) continue;
    Block b = free_[i];
    free_[i] = free_.back();
    free_.pop_back();
    resident_ -= b.resident;
    return b;
  }
  return std::nullopt;
}

bool MemoryPool::give(uint8_t* data, uint64_t reserved, uint64_t size) {
  // Which pages a guest touched: only those need zeroing; the others are
  // still the kernel's zero pages (or were never faulted in).
  const uint64_t page = uint64_t(sysconf(_SC_PAGESIZE));
  const uint64_t pages = (size + page - 1) / page;
  std::vector<unsigned char> in_core(pages);
  if (pages > 0 && mincore(data, size, in_core.data()) != 0) return false;
  uint64_t resident = 0;
  for (unsigned char c : in_core) resident += (c & 1) ? page : 0;
  {
    // Decline before zeroing anything when it would not be kept.
    std::lock_guard lock(mu_);
    if (free_.size() >= max_blocks_ || resident_ + resident > max_resident_) return false;
  }
  for (uint64_t p = 0; p < pages;) {
    if (!(in_core[p] & 1)) {
      ++p;
      continue;
    }
    uint64_t q = p;
    while (q < pages && (in_core[q] & 1)) ++q;
    const uint64_t begin = p * page, end = q * page < size ? q * page : size;
    std::memset(data + begin, 0, end - begin);
    p = q;
  }
  std::lock_guard lock(mu_);
  if (free_.size() >= max_blocks_ || resident_ + resident > max_resident_) return false;
  free_.push_back(Block{data, reserved, size, resident});
  resident_ += resident;
  return true;
}

size_t MemoryPool::blocks() const {
  std::lock_guard lock(mu_);
  return free_.size();
}

uint64_t MemoryPool::resident_bytes() const {
  std::lock_guard lock(mu_);
  return resident_;
}

}  // namespace wippy
