// host_access.h — what the host process may read of a linear memory's
// reservation, for tests of memories, snapshots and pools: write(2) into a
// pipe fails with EFAULT on a PROT_NONE page where a load would fault.
#pragma once
#include <doctest/doctest.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>

namespace wippy::testing {

// Whether the process may read the `n` bytes at p (written through the
// pipe a chunk at a time and drained, so any n fits).
inline bool readable(const uint8_t* p, size_t n = 1) {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  bool ok = true;
  uint8_t sink[4096];
  for (size_t at = 0; ok && at < n;) {
    const size_t chunk = n - at < sizeof sink ? n - at : sizeof sink;
    const ssize_t w = write(fds[1], p + at, chunk);
    if (w < 0) CHECK(errno == EFAULT);
    ok = w == ssize_t(chunk);
    if (ok) REQUIRE(read(fds[0], sink, chunk) == ssize_t(chunk));
    at += chunk;
  }
  close(fds[0]);
  close(fds[1]);
  return ok;
}

// Whether every OS page of [p, p + n) (p and n page-aligned) is either
// closed to the process or all zero: what a memory's bytes past its size
// may be (MemoryInst::committed).
inline bool closed_or_zero(const uint8_t* p, size_t n) {
  const size_t page = size_t(sysconf(_SC_PAGESIZE));
  for (size_t at = 0; at < n; at += page) {
    if (!readable(p + at, 1)) continue;
    for (size_t i = 0; i < page; ++i)
      if (p[at + i] != 0) return false;
  }
  return true;
}

}  // namespace wippy::testing
