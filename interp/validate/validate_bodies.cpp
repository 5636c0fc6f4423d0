// validate_bodies.cpp — validate_bodies (see validate_bodies.h).
#include "interp/validate/validate_bodies.h"

#include <atomic>
#include <mutex>
#include <new>
#include <optional>
#include <thread>

#include "interp/validate/func_validator.h"

namespace wippy {

namespace {

constexpr size_t kChunk = 16;  // bodies per grab

// The lowest failing body so far, shared by the threads.
struct FirstError {
  std::mutex mu;
  std::atomic<size_t> index{SIZE_MAX};
  std::optional<Error> error;
  void offer(size_t i, Error e) {
    std::lock_guard lock(mu);
    if (i < index.load(std::memory_order_relaxed)) {
      index.store(i, std::memory_order_relaxed);
      error = std::move(e);
    }
  }
};

// One thread's share: chunks taken from `next` until none is left below
// the lowest failure known.
void work(const Module& m, const std::vector<uint8_t>& declared, std::atomic<size_t>& next, FirstError& first) noexcept {
  size_t at = 0;
  try {
    FuncValidator fv(m, declared);
    for (;;) {
      const size_t begin = next.fetch_add(kChunk, std::memory_order_relaxed);
      if (begin >= m.codes.size() || begin >= first.index.load(std::memory_order_relaxed)) return;
      const size_t end = std::min(m.codes.size(), begin + kChunk);
      for (at = begin; at < end; ++at)
        if (auto r = fv.validate(m.num_imported_funcs() + uint32_t(at), m.codes[at]); !r) {
          first.offer(at, r.error());
          return;
        }
    }
  } catch (const std::bad_alloc&) {
    first.offer(at, make_error(ErrorKind::Exhaustion, "out of memory validating a function"));
  }
}

}  // namespace

Result<void> validate_bodies(const Module& m, const std::vector<uint8_t>& declared, unsigned threads) {
  uint64_t code_bytes = 0;
  for (const FuncBody& b : m.codes) code_bytes += b.code_end - b.code_begin;
  if (threads < 2 || code_bytes < kParallelBodyBytes || m.codes.size() < 2 * kChunk) {
    FuncValidator fv(m, declared);
    for (size_t i = 0; i < m.codes.size(); ++i)
      if (auto r = fv.validate(m.num_imported_funcs() + uint32_t(i), m.codes[i]); !r) return r;
    return {};
  }
  std::atomic<size_t> next{0};
  FirstError first;
  std::vector<std::thread> helpers;
  for (unsigned t = 1; t < threads; ++t) {
    try {
      helpers.emplace_back([&] { work(m, declared, next, first); });
    } catch (...) {
      break;  // this thread's share goes to the others
    }
  }
  work(m, declared, next, first);
  for (std::thread& t : helpers) t.join();
  if (first.error) return *first.error;
  return {};
}

}  // namespace wippy
