// memory_pool.h — linear-memory reservations kept for reuse by later
// stores, so that creating an instance does not pay for mapping a new
// reservation, faulting in fresh zero pages and unmapping them again (on
// virtualised hosts a page fault costs several microseconds).
// Contract:
//  * A store whose `memory_pool` is set takes its memories' reservations
//    from the pool when one of exactly the needed size is free, and gives a
//    memory back when it is destroyed, provided no image is mapped into it
//    (snapshots, data images: those are unmapped as before).
//  * Nothing leaks between stores: give() zeroes every page of the memory
//    the kernel holds data for, in RAM or swapped out (read from
//    /proc/self/pagemap, interp/runtime/held_pages.h; other pages read zero
//    anyway) before keeping it, and a taken block reads zero everywhere;
//    pages past the new memory's size are PROT_NONE again. Where pagemap
//    cannot be read, nothing is kept.
//  * Bounded: at most `max_blocks` reservations and `max_resident_bytes` of
//    resident (zeroed) pages are kept; a give() past either bound unmaps.
//  * Thread-safe (one mutex): stores on different threads may share a pool.
//  * Destroying the pool unmaps what it holds; stores hold the pool through
//    a shared_ptr, so it outlives them.
#pragma once
#include <cstdint>
#include <mutex>
#include <optional>
#include <vector>

namespace wippy {

class MemoryPool {
 public:
  struct Block {
    uint8_t* data = nullptr;
    uint64_t reserved = 0;   // bytes of address space
    uint64_t committed = 0;  // [0, committed) is read-write (all zero)
    uint64_t resident = 0;   // bytes of resident pages (counted against the bound)
  };

  explicit MemoryPool(size_t max_blocks = 256, uint64_t max_resident_bytes = uint64_t{64} << 20)
      : max_blocks_(max_blocks), max_resident_(max_resident_bytes) {}
  MemoryPool(const MemoryPool&) = delete;
  MemoryPool& operator=(const MemoryPool&) = delete;
  ~MemoryPool();

  // A free reservation of exactly `reserved` bytes, or none.
  std::optional<Block> take(uint64_t reserved);
  // Zeroes the first `size` bytes of the reservation (read-write, no image
  // mapped) and keeps it; false (the caller unmaps) past the bounds or when
  // the kernel call fails.
  bool give(uint8_t* data, uint64_t reserved, uint64_t size);

  size_t blocks() const;
  uint64_t resident_bytes() const;

 private:
  mutable std::mutex mu_;
  std::vector<Block> free_;
  uint64_t resident_ = 0;
  const size_t max_blocks_;
  const uint64_t max_resident_;
};

}  // namespace wippy
