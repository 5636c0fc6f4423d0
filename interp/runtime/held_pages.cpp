// held_pages.cpp — /proc/self/pagemap reads for held_pages.h.
#include "interp/runtime/held_pages.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <memory>
#include <new>

#include "base/process_id.h"

namespace wippy {

namespace {
constexpr uint64_t kPresent = uint64_t{1} << 63;
constexpr uint64_t kSwapped = uint64_t{1} << 62;
constexpr uint64_t kFileOrShared = uint64_t{1} << 61;

// Reads `count` pagemap entries from page `first` and sets out[i] to
// keep(entry). The entries are read into a heap block, not the stack: a
// 4 KiB array there is a fresh page on each new fiber's stack (held_pages.h).
template <class Keep>
bool read_pages(int fd, uint64_t first, uint64_t count, uint8_t* out, Keep keep) {
  constexpr uint64_t kBatch = 512;
  const std::unique_ptr<uint64_t[]> entries(new (std::nothrow) uint64_t[count < kBatch ? count : kBatch]);
  if (!entries) return false;
  for (uint64_t done = 0; done < count;) {
    const uint64_t n = count - done < kBatch ? count - done : kBatch;
    const size_t want = size_t(n * sizeof(uint64_t));
    size_t got = 0;
    while (got < want) {
      ssize_t r = pread(fd, reinterpret_cast<char*>(entries.get()) + got, want - got,
                        off_t((first + done) * sizeof(uint64_t) + got));
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) return false;
      got += size_t(r);
    }
    for (uint64_t i = 0; i < n; ++i) out[done + i] = keep(entries[i]) ? 1 : 0;
    done += n;
  }
  return true;
}
}  // namespace

// The descriptor is opened once per process and kept: opening
// /proc/self/pagemap costs several microseconds, and a pool's instances
// read it at every snapshot and reset. It is tagged with the pid that
// opened it, since /proc/self resolves at open time: a forked child finds
// its parent's tag, opens its own, and closes the inherited one (it is the
// only thread there). Lock-free, so a fork never leaves a lock held.
int open_pagemap() {
  static std::atomic<uint64_t> cached{0};  // pid << 32 | (fd + 1); 0: none
  const auto me = uint32_t(current_pid());
  uint64_t c = cached.load(std::memory_order_acquire);
  while (true) {
    if (c != 0 && c >> 32 == me) return int(uint32_t(c)) - 1;
    const int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    const uint64_t mine = uint64_t{me} << 32 | uint32_t(fd + 1);
    if (cached.compare_exchange_strong(c, mine, std::memory_order_acq_rel)) {
      if (c != 0) close(int(uint32_t(c)) - 1);  // the parent's, inherited across fork
      return fd;
    }
    close(fd);  // another thread of this process was first: c is now its
  }
}

void close_pagemap(int) {}

bool read_held_pages(int fd, uint64_t first, uint64_t count, uint8_t* out) {
  return read_pages(fd, first, count, out, [](uint64_t e) { return (e & (kPresent | kSwapped)) != 0; });
}

bool read_private_pages(int fd, uint64_t first, uint64_t count, uint8_t* out) {
  return read_pages(fd, first, count, out, [](uint64_t e) {
    return (e & kSwapped) != 0 || ((e & kPresent) != 0 && (e & kFileOrShared) == 0);
  });
}

}  // namespace wippy
