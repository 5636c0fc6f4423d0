// shared_bytes.h — an immutable byte string shared by reference.
// Contract:
//  * A SharedBytes is a view plus the owner that keeps the viewed bytes
//    alive. Copying one, or taking a slice(), shares the owner: no byte is
//    copied, and the bytes live until the last view goes.
//  * The bytes never change once made: take() moves a buffer in, copy_of()
//    copies a span, uninitialized() hands out a buffer once to be filled
//    before it is shared (the one writable moment; no zero-filling pass).
//  * slice() checks its range; out of range it returns an empty view.
//  * Reads (data, size, span, iteration, ==) are const and safe from any
//    thread; the reference count is atomic.
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "base/huge_heap.h"  // kHugePageBytes

namespace wippy {

class SharedBytes {
 public:
  SharedBytes() = default;

  // Owns `v` (moved, not copied).
  static SharedBytes take(std::vector<uint8_t> v) {
    auto owner = std::make_shared<const std::vector<uint8_t>>(std::move(v));
    return SharedBytes(owner, std::span<const uint8_t>(*owner));
  }
  static SharedBytes copy_of(std::span<const uint8_t> s) { return take(std::vector<uint8_t>(s.begin(), s.end())); }

  // A fresh buffer of `n` bytes whose contents are unspecified; the caller
  // fills [0, n) through `out` before sharing the result, and may shrink()
  // it to the bytes it wrote.
  // Buffers below kHugeBytes come from the heap: a long-running process
  // reuses pages it already touched, and a short-lived one may have put its
  // heap on huge pages (huge_heap.h). From kHugeBytes on they are mapped
  // on their own and asked for transparent huge pages (2 MiB, whole ones:
  // the size is rounded up) where the kernel allows them on request: a
  // first touch per 2 MiB, not per 4 KiB, which is what a read(2) of a
  // large file into fresh memory pays for on a virtual machine. Without
  // them, every page of the mapping is faulted in by one call
  // (MADV_POPULATE_WRITE or MAP_POPULATE).
  static SharedBytes uninitialized(size_t n, uint8_t*& out);
  static constexpr size_t kHugeBytes = kHugePageBytes;

  // The first `n` bytes of the open file `fd`, mapped read-only and
  // private (page-cache pages: no zero-filling, no copy); the mapping
  // outlives `fd` and goes with the last view. Empty when it cannot be
  // mapped or n is 0. A read of a page the file no longer covers is a
  // SIGBUS, so this is only for files that are replaced by rename and
  // never shrunk in place, such as the code cache's entries; input files
  // are read().
  static SharedBytes map_file(int fd, size_t n);

  // [offset, offset + n) of this view, sharing its owner; empty when out
  // of range.
  SharedBytes slice(size_t offset, size_t n) const {
    if (offset > view_.size() || n > view_.size() - offset) return {};
    return SharedBytes(owner_, view_.subspan(offset, n));
  }
  // The same view cut to its first `n` bytes (n <= size()).
  void shrink(size_t n) { view_ = view_.first(std::min(n, view_.size())); }
  // The slice whose bytes are `part` when `part` lies inside this view;
  // otherwise a copy of `part`.
  // (Addresses compared as integers: `part` may belong to another object.)
  SharedBytes share_or_copy(std::span<const uint8_t> part) const {
    const auto b = reinterpret_cast<uintptr_t>(view_.data()), p = reinterpret_cast<uintptr_t>(part.data());
    if (p >= b && p - b <= view_.size() && part.size() <= view_.size() - (p - b))
      return slice(size_t(p - b), part.size());
    return copy_of(part);
  }

  const uint8_t* data() const { return view_.data(); }
  size_t size() const { return view_.size(); }
  bool empty() const { return view_.empty(); }
  const uint8_t* begin() const { return view_.data(); }
  const uint8_t* end() const { return view_.data() + view_.size(); }
  uint8_t operator[](size_t i) const { return view_[i]; }
  std::span<const uint8_t> span() const { return view_; }
  operator std::span<const uint8_t>() const { return view_; }

  // Byte-wise; another SharedBytes or a vector compares through its span.
  friend bool operator==(const SharedBytes& a, std::span<const uint8_t> b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
  }

 private:
  SharedBytes(std::shared_ptr<const void> owner, std::span<const uint8_t> view)
      : owner_(std::move(owner)), view_(view) {}
  std::shared_ptr<const void> owner_;
  std::span<const uint8_t> view_;
};

}  // namespace wippy
