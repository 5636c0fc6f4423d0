// memory_pool.cpp — MemoryPool (interp/memory_pool.h).
#include "interp/memory_pool.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <utility>
#include <vector>

#include "interp/runtime/held_pages.h"
#include "interp/runtime/memory_image.h"

namespace wippy {

MemoryPool::~MemoryPool() {
  for (const Block& b : free_) munmap(b.data, b.reserved);
}

void MemoryPool::drop_orphans_locked() {
  for (size_t i = free_.size(); i-- > 0;) {
    if (!free_[i].image_at || !free_[i].image.expired()) continue;
    munmap(free_[i].data, free_[i].reserved);
    resident_ -= free_[i].resident;
    free_[i] = std::move(free_.back());
    free_.pop_back();
  }
}

std::optional<MemoryPool::Block> MemoryPool::take(uint64_t reserved, const MemoryImage* image) {
  std::lock_guard lock(mu_);
  drop_orphans_locked();
  // Of the blocks of that size, one with `image` mapped, else one with none.
  size_t found = free_.size();
  for (size_t i = free_.size(); i-- > 0;) {
    if (free_[i].reserved != reserved) continue;
    if (image && free_[i].image_at == image) {
      found = i;
      break;
    }
    if (!free_[i].image_at && found == free_.size()) found = i;
  }
  if (found == free_.size()) return std::nullopt;
  Block b = std::move(free_[found]);
  free_[found] = std::move(free_.back());
  free_.pop_back();
  resident_ -= b.resident;
  return b;
}

bool MemoryPool::give(uint8_t* data, uint64_t reserved, uint64_t size,
                      const std::shared_ptr<const MemoryImage>& image) {
  if (image) {
    // Only a module's data image is asked for again (memory_image.h).
    if (!image->module_data || image->bytes > size) return false;
    {
      std::lock_guard lock(mu_);
      drop_orphans_locked();
      if (free_.size() >= max_blocks_) return false;
    }
    // Every page of [0, size) reads the image again, then zero.
    if (size > 0 && madvise(data, size, MADV_DONTNEED) != 0) return false;
    std::lock_guard lock(mu_);
    if (free_.size() >= max_blocks_) return false;
    free_.push_back(Block{data, reserved, size, 0, image, image.get()});
    return true;
  }
  // Which pages may hold the guest's bytes: those present in RAM or
  // swapped out (held_pages.h). Only those need zeroing; the others read
  // zero already. Without pagemap, the block is not kept.
  const uint64_t page = uint64_t(sysconf(_SC_PAGESIZE));
  const uint64_t span = (size + page - 1) / page * page;
  std::vector<std::pair<uint64_t, uint64_t>> runs;
  uint64_t resident = 0;
  if (!for_each_held_run(data, span, page, [&](uint64_t b, uint64_t e) {
        runs.emplace_back(b, e);
        resident += e - b;
      }))
    return false;
  {
    // Decline before zeroing anything when it would not be kept.
    std::lock_guard lock(mu_);
    drop_orphans_locked();
    if (free_.size() >= max_blocks_ || resident_ + resident > max_resident_) return false;
  }
  for (const auto& [begin, end] : runs) std::memset(data + begin, 0, end - begin);
  std::lock_guard lock(mu_);
  if (free_.size() >= max_blocks_ || resident_ + resident > max_resident_) return false;
  free_.push_back(Block{data, reserved, size, resident, {}, nullptr});
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
