// memory_pool.h — linear-memory reservations kept for reuse by later
// stores, so that creating an instance does not pay for mapping a new
// reservation, faulting in fresh zero pages and unmapping them again (on
// virtualised hosts a page fault costs several microseconds).
// Contract:
//  * A store whose `memory_pool` is set takes its memories' reservations
//    from the pool when one of exactly the needed size is free, and gives a
//    memory back when it is destroyed, provided no image is mapped into it
//    but a module's data image (MemoryImage::module_data); one with a
//    snapshot image is unmapped as before.
//  * A memory with a data image is kept with it mapped, and taken first by
//    a memory that asks for that image (the next instance of the module):
//    that saves mapping a reservation, the image, and unmapping them.
//  * Nothing leaks between stores: give() zeroes every page of the memory
//    the kernel holds data for, in RAM or swapped out (read from
//    /proc/self/pagemap, interp/runtime/held_pages.h; other pages read zero
//    anyway) before keeping it, and a taken block reads zero everywhere;
//    its read-write pages past the new memory's size stay open
//    (MemoryInst::committed: code bounds accesses by size). Where pagemap
//    cannot be read, nothing is kept. A block with a data image drops every
//    page of [0, size) instead (madvise MADV_DONTNEED): it reads the image
//    again, then zero. Its image is held weakly: once the module's image is
//    gone, the block is unmapped at the pool's next take or give.
//  * Bounded: at most `max_blocks` reservations and `max_resident_bytes` of
//    resident (zeroed) pages are kept; a give() past either bound unmaps.
//  * Thread-safe (one mutex): stores on different threads may share a pool.
//  * Destroying the pool unmaps what it holds; stores hold the pool through
//    a shared_ptr, so it outlives them.
#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace wippy {

struct MemoryImage;  // interp/runtime/memory_image.h

class MemoryPool {
 public:
  struct Block {
    uint8_t* data = nullptr;
    uint64_t reserved = 0;   // bytes of address space
    uint64_t committed = 0;  // [0, committed) is read-write (all zero)
    uint64_t resident = 0;   // bytes of resident pages (counted against the bound)
    std::weak_ptr<const MemoryImage> image;  // mapped over [0, image->bytes) (a data image)
    const MemoryImage* image_at = nullptr;   // which one (compared while `image` lives)
  };

  explicit MemoryPool(size_t max_blocks = 256, uint64_t max_resident_bytes = uint64_t{64} << 20)
      : max_blocks_(max_blocks), max_resident_(max_resident_bytes) {}
  MemoryPool(const MemoryPool&) = delete;
  MemoryPool& operator=(const MemoryPool&) = delete;
  ~MemoryPool();

  // A free reservation of exactly `reserved` bytes, or none: one with
  // `image` mapped when there is one (its image_at is then `image`), else
  // one with no image.
  std::optional<Block> take(uint64_t reserved, const MemoryImage* image = nullptr);
  // Resets the first `size` bytes of the reservation (its read-write
  // prefix, MemoryInst::committed; `image`, when not null, a data image
  // mapped over its start, else nothing is) and keeps it; false (the
  // caller unmaps) past the bounds, for any other image, or when the
  // kernel call fails.
  bool give(uint8_t* data, uint64_t reserved, uint64_t size,
            const std::shared_ptr<const MemoryImage>& image = nullptr);

  size_t blocks() const;
  uint64_t resident_bytes() const;

 private:
  // Unmaps the blocks whose image is gone (no store can ask for it).
  void drop_orphans_locked();

  mutable std::mutex mu_;
  std::vector<Block> free_;
  uint64_t resident_ = 0;
  const size_t max_blocks_;
  const uint64_t max_resident_;
};

}  // namespace wippy
