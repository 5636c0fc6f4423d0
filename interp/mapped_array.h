// mapped_array.h — MappedArray<T>: a growable array of a trivially copyable
// T kept in private anonymous mmap'd memory, for the engine's large
// per-store buffers (interpreter value and frame stacks, table elements).
// Contract:
//  * Pages never touched cost no resident memory and are never written by
//    the allocator (malloc'd blocks are, e.g. under MALLOC_PERTURB_). New
//    elements read as all-zero bytes unless resize() is given another fill.
//  * Small arrays (at most kHeapMaxBytes) live in zeroed heap blocks
//    instead: a mapping of their own would cost a system call, a page fault
//    per page and an unmap each, which dominated creating an instance with
//    small tables (and a table of some thousand functions, filled by its
//    element segment at once, faulted in every page of a fresh mapping per
//    instance; the heap hands back blocks already resident). They move to a
//    mapping when they grow past that size.
//  * Growth remaps (mremap, the array may move: do not keep pointers into it
//    across resize/assign); shrinking keeps the mapping and only moves the
//    end, re-filling on the next growth what was written before.
//  * Failure to map is a `false` return and leaves the array unchanged;
//    nothing here throws. Sizes whose byte count overflows fail the same way.
//  * Move-only; the mapping is released by the destructor.
#pragma once
#include <cstddef>
#include <cstring>
#include <span>
#include <type_traits>

namespace wippy {

// The untyped part: a mapping of `capacity()` bytes, grown on demand.
class MappedBytes {
 public:
  MappedBytes() = default;
  MappedBytes(MappedBytes&& o) noexcept;
  MappedBytes& operator=(MappedBytes&& o) noexcept;
  MappedBytes(const MappedBytes&) = delete;
  MappedBytes& operator=(const MappedBytes&) = delete;
  ~MappedBytes();

  // Capacities up to this many bytes are zeroed heap blocks, not mappings.
  static constexpr size_t kHeapMaxBytes = 128 * 1024;

  void* data() const { return data_; }
  size_t capacity() const { return mapped_; }
  // Makes at least `bytes` bytes addressable (at least doubling; mappings
  // rounded up to pages); bytes past the old capacity read zero, except
  // that a first heap block leaves its first `unzeroed` bytes as malloc
  // gave them (the caller writes them). False if the kernel or the heap
  // refuses; the old block then stays as it was.
  bool reserve(size_t bytes, size_t unzeroed = 0);

 private:
  void release();
  bool reserve_heap(size_t size, size_t unzeroed);
  bool reserve_mapped(size_t size);
  void* data_ = nullptr;
  size_t mapped_ = 0;   // capacity in bytes
  bool heap_ = false;   // data_ is a heap block (else a mapping, or null)
};

template <class T>
class MappedArray {
  static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);

 public:
  T* data() const { return static_cast<T*>(bytes_.data()); }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T* begin() const { return data(); }
  T* end() const { return data() + size_; }
  T& operator[](size_t i) const { return data()[i]; }

  // Sets the size to n; new elements read as all-zero bytes. Pages past the
  // high-water mark are not touched.
  bool resize(size_t n) { return grow(n, nullptr); }
  // Sets the size to n; new elements are `fill` (all-zero bytes cost no
  // writes past the high-water mark, as above).
  bool resize(size_t n, const T& fill) { return grow(n, is_zero(fill) ? nullptr : &fill); }

  // Replaces the contents with a copy of `src`.
  bool assign(std::span<const T> src) { return assign(src, src.size()); }
  // Replaces the contents with n elements: a copy of `head` (at most n
  // elements), then all-zero bytes (as resize(n) writes them).
  bool assign(std::span<const T> head, size_t n) {
    const size_t h = head.size();
    if (h > n || n > max_size()) return false;
    const bool fresh = bytes_.data() == nullptr;
    if (!bytes_.reserve(n * sizeof(T), fresh ? h * sizeof(T) : 0)) return false;
    if (h != 0) std::memcpy(data(), head.data(), h * sizeof(T));
    const size_t dirty_end = n < written_ ? n : written_;
    if (dirty_end > h) std::memset(static_cast<void*>(data() + h), 0, (dirty_end - h) * sizeof(T));
    size_ = n;
    if (n > written_) written_ = n;  // the caller may write any of them
    return true;
  }

  static constexpr size_t max_size() { return size_t(-1) / 2 / sizeof(T); }

 private:
  // Compares the object's bytes: a T with padding must be built with its
  // padding zeroed (e.g. value-initialised) to count as zero.
  static bool is_zero(const T& v) {
    unsigned char zero[sizeof(T)] = {};
    return std::memcmp(&v, zero, sizeof(T)) == 0;
  }
  // fill null: zero bytes.
  bool grow(size_t n, const T* fill) {
    if (n <= size_) {
      size_ = n;
      return true;
    }
    if (n > max_size() || !bytes_.reserve(n * sizeof(T))) return false;
    // Elements below the high-water mark may hold old values; above it the
    // pages are still as the kernel gave them (zero).
    const size_t dirty_end = n < written_ ? n : written_;
    if (fill == nullptr) {
      if (dirty_end > size_) std::memset(static_cast<void*>(data() + size_), 0, (dirty_end - size_) * sizeof(T));
    } else {
      for (size_t i = size_; i < n; ++i) data()[i] = *fill;
    }
    size_ = n;
    if (n > written_) written_ = n;
    return true;
  }
  MappedBytes bytes_;
  size_t size_ = 0;
  size_t written_ = 0;  // elements [0, written_) may be non-zero
};

}  // namespace wippy
