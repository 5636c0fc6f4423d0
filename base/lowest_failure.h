// lowest_failure.h — the lowest index in [0, n) whose check fails, found on
// up to `threads` threads: how large modules' function bodies are scanned
// and validated on every core with the sequential result.
// Contract:
//  * make() is called once per thread and returns a checker c; c(i) returns
//    false when index i fails. Threads take ascending chunks of `chunk`
//    indices, stop at their first failure and take no chunk above the
//    lowest failure known, so every index below the lowest failure is
//    checked: the answer is the one a sequential loop gives.
//  * Returns n when nothing fails. Callers that need the failure's details
//    check that index again on their own thread.
//  * A thread that cannot start leaves its share to the others. An
//    exception in make() or a checker (e.g. out of memory) is caught and
//    reported as a failure at the index being checked (0 in make()), which
//    a caller's own check of that index may then not confirm: such callers
//    fall back to checking sequentially. Nothing throws.
//  * Its users share one policy: go parallel only for kParallelMinBytes of
//    code or more and at least two chunks of kParallelChunk items
//    (worth_parallel), on parallel_threads() threads.
#pragma once
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <thread>
#include <vector>

namespace wippy {

inline constexpr uint64_t kParallelMinBytes = uint64_t(1) << 20;
inline constexpr size_t kParallelChunk = 16;  // items per grab

// The cores this machine has, from 1 up to 4.
inline unsigned parallel_threads() { return std::clamp(std::thread::hardware_concurrency(), 1u, 4u); }

inline bool worth_parallel(unsigned threads, uint64_t bytes, size_t items) {
  return threads > 1 && bytes >= kParallelMinBytes && items >= 2 * kParallelChunk;
}

template <class Make>
size_t lowest_failure(size_t n, unsigned threads, size_t chunk, Make&& make) {
  std::atomic<size_t> next{0}, lowest{n};
  auto work = [&]() noexcept {
    size_t at = 0;
    try {
      auto check = make();
      for (;;) {
        const size_t begin = next.fetch_add(chunk, std::memory_order_relaxed);
        if (begin >= n || begin >= lowest.load(std::memory_order_relaxed)) return;
        for (at = begin; at < std::min(n, begin + chunk); ++at)
          if (!check(at)) break;
        if (at < std::min(n, begin + chunk)) break;
      }
    } catch (...) {
    }
    // Here only on a failure at `at` (or an exception while checking it).
    for (size_t cur = lowest.load(); at < cur && !lowest.compare_exchange_weak(cur, at);) {
    }
  };
  std::vector<std::thread> helpers;
  for (unsigned t = 1; t < threads; ++t) {
    try {
      helpers.emplace_back(work);
    } catch (...) {
      break;
    }
  }
  work();
  for (std::thread& t : helpers) t.join();
  return lowest.load();
}

}  // namespace wippy
