// mapped_array.cpp — MappedBytes: the mmap/mremap/munmap behind MappedArray
// (interp/mapped_array.h).
#include "interp/mapped_array.h"

#include <sys/mman.h>
#include <unistd.h>

#include <utility>

namespace wippy {

namespace {
size_t round_to_pages(size_t bytes) {
  const size_t page = size_t(sysconf(_SC_PAGESIZE));
  return bytes > size_t(-1) - page ? 0 : (bytes + page - 1) / page * page;
}
}  // namespace

MappedBytes::MappedBytes(MappedBytes&& o) noexcept
    : data_(std::exchange(o.data_, nullptr)), mapped_(std::exchange(o.mapped_, 0)) {}

MappedBytes& MappedBytes::operator=(MappedBytes&& o) noexcept {
  if (this != &o) {
    if (data_) munmap(data_, mapped_);
    data_ = std::exchange(o.data_, nullptr);
    mapped_ = std::exchange(o.mapped_, 0);
  }
  return *this;
}

MappedBytes::~MappedBytes() {
  if (data_) munmap(data_, mapped_);
}

bool MappedBytes::reserve(size_t bytes) {
  if (bytes <= mapped_) return true;
  size_t want = bytes;
  if (mapped_ != 0 && want < mapped_ * 2 && mapped_ <= size_t(-1) / 2) want = mapped_ * 2;
  // Doubling first (amortised growth); just what was asked if that fails.
  for (size_t size : {round_to_pages(want), round_to_pages(bytes)}) {
    if (size == 0) continue;
    void* p = data_ == nullptr
                  ? mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
                  : mremap(data_, mapped_, size, MREMAP_MAYMOVE);
    if (p == MAP_FAILED) continue;
    data_ = p;
    mapped_ = size;
    return true;
  }
  return false;
}

}  // namespace wippy
