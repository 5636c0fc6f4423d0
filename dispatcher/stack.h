// stack.h — fiber stacks: an mmap'd region with a PROT_NONE guard below.
// Contract: a FiberStack owns one private anonymous mapping laid out as
// [guard_lo, usable_lo) PROT_NONE guard, [usable_lo, hi) read/write stack.
// Pages are committed lazily by the kernel, so a parked fiber's resident cost
// is only the pages it has touched. Running off the bottom faults in the guard
// (see overflow_guard.h). Move-only; unmaps on destruction.
// Sanitizer builds (ASan) map kSanitizerStackScale (16) times the usable size
// asked for, since their frames carry redzones; the limits that promise to
// fit a 64 KiB stack are measured on the normal build.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>

namespace wippy::disp {

struct StackRange {
  uintptr_t guard_lo = 0;
  uintptr_t usable_lo = 0;
  uintptr_t hi = 0;
};

size_t page_size();
size_t round_to_pages(size_t bytes);

class FiberStack {
 public:
  FiberStack() = default;
  // Sizes are rounded up to whole pages (guard at least one page). Returns
  // nullopt when the mapping fails (errno tells why).
  static std::optional<FiberStack> allocate(size_t usable_bytes, size_t guard_bytes);
  // The usable size allocate() maps for a request of usable_bytes.
  static size_t usable_for(size_t usable_bytes);
  // Before a stack is reused or unmapped: under ASan, clears the redzones
  // that frames never unwound (a finished fiber's last frames) left in its
  // shadow, so the next fiber on these addresses is not reported for them.
  void forget_frames();

  FiberStack(FiberStack&& o) noexcept : r_(o.r_) { o.r_ = {}; }
  FiberStack& operator=(FiberStack&& o) noexcept;
  FiberStack(const FiberStack&) = delete;
  FiberStack& operator=(const FiberStack&) = delete;
  ~FiberStack() { release(); }

  bool empty() const { return r_.hi == 0; }
  void* top() const { return reinterpret_cast<void*>(r_.hi); }
  size_t usable_size() const { return r_.hi - r_.usable_lo; }
  const StackRange& range() const { return r_; }

 private:
  void release();
  StackRange r_;
};

}  // namespace wippy::disp
