// clock.h — the dispatcher's time base: CLOCK_MONOTONIC in nanoseconds.
// Contract: now_ns() is what every deadline in dispatcher/ is measured
// against (and what WASI's monotonic-clock.now returns). kNever means "no
// deadline"; deadline_after saturates instead of wrapping.
// coarse_now_ns() is the kernel tick's reading of the same clock
// (CLOCK_MONOTONIC_COARSE: a few ms of resolution, a fifth of the cost to
// read), for timeouts of seconds; never compare it with now_ns(), which
// can be ahead of it.
#pragma once
#include <time.h>

#include <cstdint>

namespace wippy::disp {

inline constexpr uint64_t kNever = UINT64_MAX;

inline uint64_t now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000u + static_cast<uint64_t>(ts.tv_nsec);
}

inline uint64_t coarse_now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000u + static_cast<uint64_t>(ts.tv_nsec);
}

inline uint64_t deadline_after(uint64_t ns) {
  const uint64_t now = now_ns();
  return ns >= kNever - now ? kNever : now + ns;
}

}  // namespace wippy::disp
