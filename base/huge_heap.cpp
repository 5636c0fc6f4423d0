// huge_heap.cpp — put_heap_on_huge_pages (see huge_heap.h).
//
// glibc's main heap is one brk region whose free end (the "top" chunk)
// every block is carved from when no freed block fits. Its statistics give
// the top chunk's size (mallinfo2().keepcost) and sbrk(0) its end, so its
// start is known. One block is allocated and kept that ends just before the
// first 2 MiB boundary past the heap's end: the top chunk then starts there, and the first block
// after it is the first to touch the advised range. (The kept block's
// pages are never touched: malloc writes only its header, which lies
// before the boundary, and so does the top chunk's.) Advising the range
// only after that write matters: a 4 KiB page already present in a 2 MiB
// range keeps the whole range on 4 KiB pages.
//
// A thread's arena (put_thread_heap_on_huge_pages) is a mapping of its own
// that glibc opens a page at a time. One block of kThreadHeapBytes opens
// it at once; the block's chunk header says whether it came from a thread
// arena (flag 4, NON_MAIN_ARENA) and was not mapped on its own (flag 2,
// IS_MMAPPED). Only the block's own 2 MiB ranges are advised, from the
// first boundary past its header; the free puts the whole block back as
// the arena's top chunk, which stays (far below the trim threshold).
#include "base/huge_heap.h"

#include <atomic>
#include <cstdint>
#include <cstdlib>

#if WIPPY_HUGE_HEAP
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace wippy {

#if WIPPY_HUGE_HEAP
namespace {

// Set once the main heap is moved: thread arenas follow only then.
std::atomic<bool> main_heap_moved{false};

// glibc's documented defaults for the three settings changed (mallopt(3)).
void restore_defaults() {
  constexpr int kGlibcDefault = 128 << 10;
  mallopt(M_TOP_PAD, kGlibcDefault);
  mallopt(M_TRIM_THRESHOLD, kGlibcDefault);
  mallopt(M_MMAP_THRESHOLD, kGlibcDefault);
}

}  // namespace

bool put_heap_on_huge_pages() {
  const uintptr_t end = reinterpret_cast<uintptr_t>(::sbrk(0));
  const size_t top_size = mallinfo2().keepcost;
  if (end == uintptr_t(-1) || top_size == 0 || top_size > end) return false;
  const uintptr_t top = end - top_size;
  // The boundary is past the heap's end, so the kept block cannot fit in
  // the top chunk and the heap must grow (by kHugeHeapReserve, below). The
  // top chunk's header (8 bytes at top + 8) and the kept block's must stay
  // below the boundary: leave 32 bytes under it.
  const uintptr_t boundary = (end + 64 + kHugePageBytes - 1) & ~uintptr_t(kHugePageBytes - 1);
  const uintptr_t new_top = boundary - 32;
  // A block of n bytes takes a chunk of n + 8 rounded up to 16.
  const size_t kept_bytes = new_top - top - 8;
  // The first growth reserves kHugeHeapReserve (address space only), all
  // of it advised: later growth past it makes a region of its own, which
  // the advice does not cover. Trimming waits until that much is free.
  mallopt(M_TOP_PAD, int(kHugeHeapReserve));
  mallopt(M_TRIM_THRESHOLD, int(2 * kHugeHeapReserve));
  mallopt(M_MMAP_THRESHOLD, int(kHugeHeapMmapBytes));  // the kept block too
  void* kept = std::malloc(kept_bytes);
  const uintptr_t grown = reinterpret_cast<uintptr_t>(::sbrk(0));
  mallopt(M_TOP_PAD, int(kHugePageBytes));
  // Not carved from the top chunk (statistics not as expected, or the
  // heap not contiguous): give it back and leave the heap as it is.
  if (!kept || reinterpret_cast<uintptr_t>(kept) != top + 16 || grown < boundary + kHugePageBytes) {
    std::free(kept);
    restore_defaults();
    return false;
  }
  // The kept block is never freed: freeing it would hand its pages below
  // the boundary back to later blocks.
  if (::madvise(reinterpret_cast<void*>(boundary), grown - boundary, MADV_HUGEPAGE) != 0) return false;
  main_heap_moved.store(true, std::memory_order_release);
  return true;
}

bool put_thread_heap_on_huge_pages() {
  if (!main_heap_moved.load(std::memory_order_acquire)) return false;
  void* block = std::malloc(kThreadHeapBytes);
  if (!block) return false;
  constexpr size_t kIsMmapped = 2, kNonMainArena = 4;  // glibc's chunk flags
  const size_t header = static_cast<const size_t*>(block)[-1];
  bool advised = false;
  if ((header & kNonMainArena) != 0 && (header & kIsMmapped) == 0) {
    const uintptr_t begin = reinterpret_cast<uintptr_t>(block);
    const uintptr_t from = (begin + kHugePageBytes - 1) & ~uintptr_t(kHugePageBytes - 1);
    const uintptr_t to = (begin + kThreadHeapBytes) & ~uintptr_t(kHugePageBytes - 1);
    advised = from < to && ::madvise(reinterpret_cast<void*>(from), to - from, MADV_HUGEPAGE) == 0;
  }
  std::free(block);
  return advised;
}
#else
bool put_heap_on_huge_pages() { return false; }
bool put_thread_heap_on_huge_pages() { return false; }
#endif

}  // namespace wippy
