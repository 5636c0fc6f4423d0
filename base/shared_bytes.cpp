// shared_bytes.cpp — SharedBytes::uninitialized and map_file (see shared_bytes.h).
#include "base/shared_bytes.h"

#include <sys/mman.h>

#include <cstdint>

namespace wippy {

namespace {

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23  // Linux 5.14
#endif

// A mapping of `n` bytes (rounded up to whole huge pages) on a huge-page
// boundary, asked for huge pages and populated; null when it cannot be.
// `len` is what to unmap.
void* map_huge(size_t n, size_t& len) {
  len = (n + kHugePageBytes - 1) / kHugePageBytes * kHugePageBytes;
  void* raw = ::mmap(nullptr, len + kHugePageBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) return nullptr;
  auto b = reinterpret_cast<uintptr_t>(raw);
  uintptr_t a = (b + kHugePageBytes - 1) & ~uintptr_t(kHugePageBytes - 1);
  if (a > b) ::munmap(raw, a - b);
  if (uintptr_t end = b + len + kHugePageBytes; end > a + len) ::munmap(reinterpret_cast<void*>(a + len), end - a - len);
  void* p = reinterpret_cast<void*>(a);
  // Either advice may be refused (huge pages off, an older kernel); the
  // mapping is then filled page by page, or populated below.
  bool huge = ::madvise(p, len, MADV_HUGEPAGE) == 0;
  if (::madvise(p, len, MADV_POPULATE_WRITE) != 0 && !huge) {
    ::munmap(p, len);
    return nullptr;
  }
  return p;
}

}  // namespace

SharedBytes SharedBytes::uninitialized(size_t n, uint8_t*& out) {
  if (n >= kHugeBytes) {
    size_t len = n;
    void* p = map_huge(n, len);
    if (!p) {
      len = n;
      p = ::mmap(nullptr, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
      if (p == MAP_FAILED) p = nullptr;
    }
    if (p) {
      out = static_cast<uint8_t*>(p);
      std::shared_ptr<const void> owner(p, [len](const void* q) { ::munmap(const_cast<void*>(q), len); });
      return SharedBytes(std::move(owner), std::span<const uint8_t>(out, n));
    }
  }
  std::shared_ptr<uint8_t[]> buf(new uint8_t[n ? n : 1]);
  out = buf.get();
  return SharedBytes(std::shared_ptr<const void>(buf, buf.get()), std::span<const uint8_t>(buf.get(), n));
}

SharedBytes SharedBytes::map_file(int fd, size_t n) {
  if (n == 0) return {};
  void* p = ::mmap(nullptr, n, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
  if (p == MAP_FAILED) return {};
  std::shared_ptr<const void> owner(p, [n](const void* q) { ::munmap(const_cast<void*>(q), n); });
  return SharedBytes(std::move(owner), std::span<const uint8_t>(static_cast<const uint8_t*>(p), n));
}

}  // namespace wippy
