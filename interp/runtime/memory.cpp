// memory.cpp — MemoryInst: mmap reservation, mprotect commit on grow past
// what is committed already, with headroom (within max_pages and the owner
// store's memory limit), unmap.
#include <sys/mman.h>

#include <algorithm>
#include <optional>

#include "base/huge_heap.h"  // kHugePageBytes
#include "interp/memory_pool.h"
#include "interp/runtime/memory_image.h"
#include "interp/runtime/memory_map.h"

namespace wippy {

namespace {

// A free reservation of `bytes` from the owner's pool (memory_pool.h), with
// [0, *ready) already read-write (and zero, or `image` then zero: m.image
// is set then), at most `min_bytes`; false when the pool has none.
bool reuse_reservation(MemoryInst& m, uint64_t bytes, uint64_t min_bytes, uint64_t* ready,
                       const std::shared_ptr<const MemoryImage>& image) {
  if (!m.owner || !m.owner->memory_pool) return false;
  std::optional<MemoryPool::Block> b = m.owner->memory_pool->take(bytes, image.get());
  if (!b) return false;
  const bool imaged = b->image_at != nullptr;  // then it is `image`
  if (imaged && image->bytes > min_bytes) {
    munmap(b->data, bytes);
    return false;
  }
  m.data = b->data;
  m.reserved = bytes;
  m.committed = b->committed;  // read-write and zero past the image: stays open
  if (imaged) m.image = image;
  *ready = b->committed < min_bytes ? b->committed : min_bytes;
  return true;
}

}  // namespace

void advise_data_blocks(MemoryInst& m, std::vector<std::pair<uint64_t, uint64_t>> ranges) {
  constexpr uintptr_t kBlock = kHugePageBytes;
  std::sort(ranges.begin(), ranges.end());
  const auto base = reinterpret_cast<uintptr_t>(m.data);
  const uintptr_t end = base + m.size;
  // Bytes written per 2 MiB block, blocks in ascending order (overlapping
  // segments count twice: the advice is a heuristic).
  std::vector<std::pair<uintptr_t, uint64_t>> blocks;
  for (auto [s, e] : ranges) {
    if (s >= e || e > m.size) continue;
    for (uintptr_t a = base + s, b = base + e; a < b;) {
      uintptr_t blk = a & ~(kBlock - 1), stop = std::min(b, blk + kBlock);
      if (blocks.empty() || blocks.back().first < blk) blocks.emplace_back(blk, 0);
      else if (blocks.back().first > blk) break;  // sorted starts: only an overlap gets here
      blocks.back().second += stop - a;
      a = stop;
    }
  }
  uintptr_t lo = 0, hi = 0;
  auto flush = [&] {
    if (lo < hi) ::madvise(reinterpret_cast<void*>(lo), hi - lo, MADV_HUGEPAGE);
    lo = hi = 0;
  };
  for (auto [blk, written] : blocks) {
    if (written < kBlock / 8 || blk < base || blk + kBlock > end) continue;
    if (blk != hi) flush(), lo = blk;
    hi = blk + kBlock;
  }
  flush();
}

bool reserve_memory(MemoryInst& m, const MemoryType& type, const std::shared_ptr<const MemoryImage>& image) {
  m.type = type;
  uint64_t max_pages = kMaxPages;
  if (type.limits.has_max && type.limits.max < max_pages) max_pages = type.limits.max;
  if (type.limits.min > max_pages) return false;
  m.max_pages = max_pages;
  // Reserve at least one page so `data` is never null, even for (memory 0 0).
  uint64_t bytes = (max_pages ? max_pages : 1) * uint64_t(kPageSize);
  uint64_t ready = 0;
  if (!reuse_reservation(m, bytes, type.limits.min * uint64_t(kPageSize), &ready, image)) {
    void* p = mmap(nullptr, bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) return false;
    m.data = static_cast<uint8_t*>(p);
    m.reserved = bytes;
    m.committed = 0;
  }
  m.size = 0;
  // Pages a reused reservation has open already count as growth does.
  if (ready > 0) {
    if (m.owner && !m.owner->memory_fits(ready)) return false;
    m.size = ready;
  }
  const uint64_t pages = m.size / kPageSize;
  if (type.limits.min > pages && m.grow(uint32_t(type.limits.min - pages)) == uint32_t(-1)) return false;
  return true;
}

MemoryInst::~MemoryInst() {
  if (!data) return;
  // Back to the owner's pool when only anonymous memory, or a module's data
  // image, is mapped in it (a copied image is anonymous memory).
  if (owner && owner->memory_pool &&
      owner->memory_pool->give(data, reserved, committed, image_copied ? nullptr : image))
    return;
  munmap(data, reserved);
}

uint32_t MemoryInst::grow(uint32_t delta_pages) {
  uint64_t old_pages = size / kPageSize;
  uint64_t new_pages = old_pages + delta_pages;
  if (new_pages > max_pages || new_pages * kPageSize > reserved) return uint32_t(-1);
  if (delta_pages == 0) return uint32_t(old_pages);
  uint64_t new_size = new_pages * kPageSize;
  if (owner && !owner->memory_fits(new_size - size)) return uint32_t(-1);
  if (new_size > committed) {
    // Opens kGrowHeadroom more (within the reservation): a guest's
    // allocator that grows again soon, or a memory created and then grown
    // by its first call, makes one system call, not one per grow. Those
    // pages read zero and are out of bounds in code (MemoryInst::committed).
    uint64_t open_to = std::min(reserved, new_size + kGrowHeadroom);
    if (mprotect(data + committed, open_to - committed, PROT_READ | PROT_WRITE) != 0) {
      open_to = new_size;  // the kernel refused the larger range: ask for what is needed
      if (mprotect(data + committed, open_to - committed, PROT_READ | PROT_WRITE) != 0) return uint32_t(-1);
    }
    committed = open_to;
  }
  size = new_size;
  return uint32_t(old_pages);
}

}  // namespace wippy
