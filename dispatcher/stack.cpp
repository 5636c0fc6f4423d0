// stack.cpp — mmap/mprotect/munmap for fiber stacks.
#include "dispatcher/stack.h"

#include <sys/mman.h>
#include <unistd.h>

#include "dispatcher/sanitizer.h"
#if defined(WIPPY_ASAN)
#include <sanitizer/asan_interface.h>
#endif

namespace wippy::disp {

namespace {
constexpr size_t kSanitizerStackScale = kAddressSanitizer ? 16 : 1;
}  // namespace

size_t page_size() {
  static const size_t ps = static_cast<size_t>(sysconf(_SC_PAGESIZE));  // constant after init
  return ps;
}

size_t round_to_pages(size_t bytes) {
  const size_t ps = page_size();
  return (bytes + ps - 1) / ps * ps;
}

size_t FiberStack::usable_for(size_t usable_bytes) {
  return round_to_pages(usable_bytes == 0 ? 1 : usable_bytes) * kSanitizerStackScale;
}

std::optional<FiberStack> FiberStack::allocate(size_t usable_bytes, size_t guard_bytes) {
  const size_t usable = usable_for(usable_bytes);
  const size_t guard = round_to_pages(guard_bytes == 0 ? 1 : guard_bytes);
  void* p = mmap(nullptr, usable + guard, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
  if (p == MAP_FAILED) return std::nullopt;
  if (mprotect(p, guard, PROT_NONE) != 0) {
    munmap(p, usable + guard);
    return std::nullopt;
  }
  FiberStack s;
  s.r_.guard_lo = reinterpret_cast<uintptr_t>(p);
  s.r_.usable_lo = s.r_.guard_lo + guard;
  s.r_.hi = s.r_.usable_lo + usable;
  return s;
}

FiberStack& FiberStack::operator=(FiberStack&& o) noexcept {
  if (this != &o) {
    release();
    r_ = o.r_;
    o.r_ = {};
  }
  return *this;
}

void FiberStack::forget_frames() {
#if defined(WIPPY_ASAN)
  if (r_.hi != 0) __asan_unpoison_memory_region(reinterpret_cast<void*>(r_.usable_lo), r_.hi - r_.usable_lo);
#endif
}

void FiberStack::release() {
  forget_frames();  // the next mapping at these addresses starts clean
  if (r_.hi != 0) munmap(reinterpret_cast<void*>(r_.guard_lo), r_.hi - r_.guard_lo);
  r_ = {};
}

}  // namespace wippy::disp
