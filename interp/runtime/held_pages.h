// held_pages.h — which OS pages of a private anonymous mapping may hold
// anything but zeros, read from /proc/self/pagemap (internal to
// interp/runtime: memory snapshots and the memory pool use it).
// Contract:
//  * A page is "held" when the kernel keeps data for it: it is present in
//    RAM or swapped out. A page of a private anonymous mapping that is in
//    neither state was never written since it was mapped or dropped
//    (MADV_DONTNEED), so it reads zero. mincore() cannot say this: a
//    swapped-out page is not resident yet still holds the guest's bytes.
//  * Only meaningful for private anonymous memory (file-backed pages that
//    were never faulted in are not held yet read the file).
//  * read_private_pages() marks the pages of any private mapping that may
//    hold the mapping's own copy: swapped out, or present and not a page of
//    the mapped file (a private file mapping's page becomes such a copy when
//    it is first written; the shared zero page a read of untouched
//    anonymous memory maps is marked too). Pages only read from the file,
//    or never touched, are not marked.
//  * for_each_marked_page() calls fn(page index) for each page marked held
//    (or private), and stops when fn returns false.
//  * for_each_held_run() calls fn(begin, end) with byte offsets from `base`
//    for each maximal run of held pages of [base, base + len) (len whole
//    pages), in order, and returns true; it returns false without calling
//    fn for the rest when pagemap cannot be read (no /proc): callers then
//    treat every page as held.
//  * Buffers are heap blocks, never arrays on the stack: these run deep in
//    a call on a fiber's stack, where a 4 KiB array is one more fresh page
//    for every new fiber (a page fault each, several microseconds on a
//    virtualised host). When the heap refuses one, the read fails (false),
//    as when pagemap cannot be read.
#pragma once
#include <cstdint>
#include <memory>
#include <new>

namespace wippy {

// Reads pagemap entries for `count` pages from page index `first`
// (address / page size) into `out`: 1 where held, 0 where not.
bool read_held_pages(int pagemap_fd, uint64_t first, uint64_t count, uint8_t* out);
// The same for the mapping's own copies (see the contract).
bool read_private_pages(int pagemap_fd, uint64_t first, uint64_t count, uint8_t* out);
// The process's pagemap descriptor, opened at the first call and kept (a
// forked child opens its own); -1 when unavailable. close_pagemap() does
// nothing: the descriptor is shared by every caller.
int open_pagemap();
void close_pagemap(int fd);

enum class PageMark { Held, Private };  // read_held_pages, read_private_pages

// Calls fn(i) for the index i (from `base`) of each page of [base, base +
// len) (len whole pages) that `mark` marks, in order, reading pagemap a
// chunk at a time. fn returns false to stop. True when every page was
// seen; false when pagemap cannot be read or fn stopped.
template <class Fn>
bool for_each_marked_page(const uint8_t* base, uint64_t len, uint64_t page, PageMark mark, Fn&& fn) {
  const int fd = open_pagemap();
  if (fd < 0) return false;
  constexpr uint64_t kChunk = 4096;  // pages per pagemap read
  const uint64_t first = reinterpret_cast<uintptr_t>(base) / page, pages = len / page;
  const std::unique_ptr<uint8_t[]> marks(new (std::nothrow) uint8_t[pages < kChunk ? pages : kChunk]);
  if (!marks) return false;
  bool ok = true;
  for (uint64_t done = 0; ok && done < pages;) {
    const uint64_t n = pages - done < kChunk ? pages - done : kChunk;
    ok = mark == PageMark::Held ? read_held_pages(fd, first + done, n, marks.get())
                                : read_private_pages(fd, first + done, n, marks.get());
    for (uint64_t i = 0; ok && i < n; ++i)
      if (marks[i]) ok = fn(done + i);
    done += n;
  }
  close_pagemap(fd);
  return ok;
}

template <class Fn>
bool for_each_held_run(const uint8_t* base, uint64_t len, uint64_t page, Fn&& fn) {
  uint64_t run_begin = 0, run_end = 0;  // pages; empty when equal
  const bool read = for_each_marked_page(base, len, page, PageMark::Held, [&](uint64_t i) {
    if (i != run_end) {
      if (run_begin != run_end) fn(run_begin * page, run_end * page);
      run_begin = i;
    }
    run_end = i + 1;
    return true;
  });
  if (!read) return false;
  if (run_begin != run_end) fn(run_begin * page, run_end * page);
  return true;
}

}  // namespace wippy
