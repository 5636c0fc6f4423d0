// Unit tests for MappedArray (interp/mapped_array.h): new elements read
// zero or the fill value, shrinking and growing again re-fills what was
// written, assign copies (a head then zeros), growth keeps contents, and a size that cannot be
// mapped is refused without changing the array.
#include <doctest/doctest.h>

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <span>
#include <utility>
#include <vector>

#include "interp/mapped_array.h"

using namespace wippy;

TEST_CASE("mapped array: zero fill, explicit fill, shrink and regrow") {
  MappedArray<uint64_t> a;
  CHECK(a.empty());
  REQUIRE(a.resize(1000));
  CHECK(a.size() == 1000);
  for (uint64_t v : a) CHECK(v == 0);
  for (size_t i = 0; i < a.size(); ++i) a[i] = i + 1;
  REQUIRE(a.resize(10));
  CHECK(a[9] == 10);
  // Growing again must not show the values written before the shrink.
  REQUIRE(a.resize(2000, 7));
  CHECK(a[9] == 10);
  CHECK(a[10] == 7);
  CHECK(a[999] == 7);
  CHECK(a[1999] == 7);
  REQUIRE(a.resize(5));
  REQUIRE(a.resize(3000));
  CHECK(a[4] == 5);
  CHECK(a[5] == 0);
  CHECK(a[1500] == 0);
  CHECK(a[2999] == 0);
}

TEST_CASE("mapped array: growth past the mapping keeps the contents; assign copies") {
  MappedArray<uint32_t> a;
  REQUIRE(a.resize(3, 9));
  REQUIRE(a.resize(1 << 20));  // many pages: remapped, maybe moved
  CHECK(a[0] == 9);
  CHECK(a[2] == 9);
  CHECK(a[3] == 0);
  CHECK(a[(1 << 20) - 1] == 0);
  a[3] = 42;
  std::vector<uint32_t> src = {1, 2, 3};
  REQUIRE(a.assign(src));
  CHECK(a.size() == 3);
  CHECK(a[2] == 3);
  REQUIRE(a.resize(4));
  CHECK(a[3] == 0);  // written before the assign, zero again
}

TEST_CASE("mapped array: assign of a head and a size gives the head, then zeros, on a fresh or a used array") {
  // A freed block full of 0xAB: the fresh array's block is likely that one.
  void* junk = std::malloc(4096);
  REQUIRE(junk != nullptr);
  std::memset(junk, 0xAB, 4096);
  std::free(junk);
  const std::vector<uint64_t> head = {5, 6, 7};
  MappedArray<uint64_t> a;
  REQUIRE(a.assign(head, 512));
  CHECK(a.size() == 512);
  CHECK(a[0] == 5);
  CHECK(a[2] == 7);
  bool zero = true;
  for (size_t i = 3; i < 512; ++i) zero = zero && a[i] == 0;
  CHECK(zero);
  for (size_t i = 0; i < 512; ++i) a[i] = 9;
  REQUIRE(a.resize(2));
  REQUIRE(a.assign(std::span<const uint64_t>(head).first(1), 600));
  CHECK(a[0] == 5);
  CHECK(a[1] == 0);
  CHECK(a[511] == 0);  // written before, zero again
  CHECK(a[599] == 0);
  CHECK_FALSE(a.assign(head, 2));  // a head longer than the size
  CHECK(a.size() == 600);
}

TEST_CASE("mapped array: a size that cannot be mapped is refused and changes nothing") {
  MappedArray<uint64_t> a;
  REQUIRE(a.resize(4, 1));
  CHECK_FALSE(a.resize(MappedArray<uint64_t>::max_size() + 1));
  CHECK_FALSE(a.resize(size_t(1) << 60));  // 8 EiB: no address space for it
  CHECK(a.size() == 4);
  CHECK(a[3] == 1);
}

namespace {
struct Padded {  // like exec::Frame: 8-byte members, then 4 bytes and padding
  const void* a;
  void* b;
  void* c;
  uint32_t d;
};

// How many of the array's pages are resident (mincore).
size_t resident_pages(const void* p, size_t bytes) {
  const size_t page = size_t(::sysconf(_SC_PAGESIZE));
  const size_t n = (bytes + page - 1) / page;
  std::vector<unsigned char> v(n);
  if (::mincore(const_cast<void*>(p), n * page, v.data()) != 0) return size_t(-1);
  size_t r = 0;
  for (unsigned char c : v) r += c & 1;
  return r;
}
}  // namespace

TEST_CASE("mapped array: growing a struct with padding writes no page (the interpreter's frame stack)") {
  MappedArray<Padded> a;
  REQUIRE(a.resize(100000));
  CHECK(resident_pages(a.data(), a.size() * sizeof(Padded)) == 0);
  CHECK(a[99999].d == 0);
  CHECK(a[99999].a == nullptr);
  a[5].d = 7;
  REQUIRE(a.resize(2));
  REQUIRE(a.resize(10));  // below the high-water mark: zeroed again
  CHECK(a[5].d == 0);
}

TEST_CASE("mapped array: small arrays in heap blocks keep contents and zero fill across the move to a mapping") {
  MappedArray<uint64_t> a;
  const size_t heap_elems = MappedBytes::kHeapMaxBytes / sizeof(uint64_t);
  REQUIRE(a.resize(3));
  for (size_t i = 0; i < a.size(); ++i) a[i] = 100 + i;
  // grows within the heap (realloc): old values stay, new ones read zero
  REQUIRE(a.resize(heap_elems / 2));
  CHECK(a[2] == 102);
  for (size_t i = 3; i < a.size(); ++i) REQUIRE(a[i] == 0);
  for (size_t i = 0; i < a.size(); ++i) a[i] = i * 3;
  // shrinks, then grows past the heap limit: a mapping with the old contents
  REQUIRE(a.resize(5));
  REQUIRE(a.resize(heap_elems * 4, 9));
  CHECK(a[4] == 12);
  for (size_t i = 5; i < a.size(); ++i) REQUIRE(a[i] == 9);
  MappedArray<uint64_t> b = std::move(a);
  CHECK(b.size() == heap_elems * 4);
  CHECK(b[1] == 3);
  // assign into an empty array picks the block by size
  MappedArray<uint32_t> c;
  std::vector<uint32_t> src(10, 42);
  REQUIRE(c.assign(src));
  CHECK(c[9] == 42);
  REQUIRE(c.resize(40000));
  CHECK(c[9] == 42);
  CHECK(c[39999] == 0);
}
