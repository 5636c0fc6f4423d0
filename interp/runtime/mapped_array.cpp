// mapped_array.cpp — MappedBytes: the mmap/mremap/munmap behind MappedArray
// (interp/mapped_array.h).
#include "interp/mapped_array.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace wippy {

namespace {
size_t round_to_pages(size_t bytes) {
  const size_t page = size_t(sysconf(_SC_PAGESIZE));
  return bytes > size_t(-1) - page ? 0 : (bytes + page - 1) / page * page;
}
}  // namespace

MappedBytes::MappedBytes(MappedBytes&& o) noexcept
    : data_(std::exchange(o.data_, nullptr)), mapped_(std::exchange(o.mapped_, 0)), heap_(std::exchange(o.heap_, false)) {}

MappedBytes& MappedBytes::operator=(MappedBytes&& o) noexcept {
  if (this != &o) {
    release();
    data_ = std::exchange(o.data_, nullptr);
    mapped_ = std::exchange(o.mapped_, 0);
    heap_ = std::exchange(o.heap_, false);
  }
  return *this;
}

MappedBytes::~MappedBytes() { release(); }

void MappedBytes::release() {
  if (!data_) return;
  if (heap_) std::free(data_);
  else munmap(data_, mapped_);
}

bool MappedBytes::reserve(size_t bytes, size_t unzeroed) {
  if (bytes <= mapped_) return true;
  size_t want = bytes;
  if (mapped_ != 0 && want < mapped_ * 2 && mapped_ <= size_t(-1) / 2) want = mapped_ * 2;
  // Doubling first (amortised growth); just what was asked if that fails.
  for (size_t size : {want, bytes}) {
    if (size <= kHeapMaxBytes && (heap_ || data_ == nullptr)) {
      if (reserve_heap(size, unzeroed)) return true;
    } else if (size_t pages = round_to_pages(size); pages != 0 && reserve_mapped(pages)) {
      return true;
    }
  }
  return false;
}

// A zeroed heap block of `size` bytes holding the old contents (a first
// block: zeroed past its first `unzeroed` bytes).
bool MappedBytes::reserve_heap(size_t size, size_t unzeroed) {
  void* p;
  if (data_ != nullptr) p = std::realloc(data_, size);
  else if (unzeroed == 0) p = std::calloc(size, 1);
  else p = std::malloc(size);
  if (p == nullptr) return false;
  if (data_ != nullptr) std::memset(static_cast<uint8_t*>(p) + mapped_, 0, size - mapped_);
  else if (unzeroed != 0 && unzeroed < size) std::memset(static_cast<uint8_t*>(p) + unzeroed, 0, size - unzeroed);
  data_ = p;
  mapped_ = size;
  heap_ = true;
  return true;
}

// A mapping of `size` bytes (whole pages) holding the old contents.
bool MappedBytes::reserve_mapped(size_t size) {
  void* p;
  if (data_ == nullptr || heap_) {
    p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) return false;
    if (data_ != nullptr) {
      std::memcpy(p, data_, mapped_);
      std::free(data_);
    }
  } else {
    p = mremap(data_, mapped_, size, MREMAP_MAYMOVE);
    if (p == MAP_FAILED) return false;
  }
  data_ = p;
  mapped_ = size;
  heap_ = false;
  return true;
}

}  // namespace wippy
