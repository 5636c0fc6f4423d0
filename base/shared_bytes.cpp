// shared_bytes.cpp — SharedBytes::uninitialized (see shared_bytes.h).
#include "base/shared_bytes.h"

#include <sys/mman.h>

namespace wippy {

SharedBytes SharedBytes::uninitialized(size_t n, uint8_t*& out) {
  if (n >= kPopulateBytes) {
    void* p = ::mmap(nullptr, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (p != MAP_FAILED) {
      out = static_cast<uint8_t*>(p);
      std::shared_ptr<const void> owner(p, [n](const void* q) { ::munmap(const_cast<void*>(q), n); });
      return SharedBytes(std::move(owner), std::span<const uint8_t>(out, n));
    }
  }
  std::shared_ptr<uint8_t[]> buf(new uint8_t[n ? n : 1]);
  out = buf.get();
  return SharedBytes(std::shared_ptr<const void>(buf, buf.get()), std::span<const uint8_t>(buf.get(), n));
}

}  // namespace wippy
