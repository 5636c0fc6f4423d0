// test_shared_bytes.cpp — SharedBytes (base/shared_bytes.h): copies and
// slices share their owner, ranges are checked, bytes outlive their source;
// a mapped file reads as the file.
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdlib>
#include <span>
#include <vector>

#include "base/shared_bytes.h"

using wippy::SharedBytes;

TEST_CASE("shared bytes: take moves the buffer in; copies and slices share it") {
  std::vector<uint8_t> v{1, 2, 3, 4, 5};
  const uint8_t* first = v.data();
  SharedBytes all = SharedBytes::take(std::move(v));
  CHECK(all.data() == first);  // moved, not copied
  CHECK(all.size() == 5);
  SharedBytes copy = all;
  CHECK(copy.data() == all.data());
  SharedBytes mid = all.slice(1, 3);
  CHECK(mid.data() == all.data() + 1);
  CHECK(mid == std::vector<uint8_t>{2, 3, 4});
  CHECK(mid[2] == 4);
}

TEST_CASE("shared bytes: a slice keeps the bytes alive after every other view is gone") {
  SharedBytes tail;
  {
    SharedBytes all = SharedBytes::copy_of(std::vector<uint8_t>{9, 8, 7, 6});
    tail = all.slice(2, 2);
  }
  CHECK(tail == std::vector<uint8_t>{7, 6});
}

TEST_CASE("shared bytes: out-of-range slices are empty; share_or_copy copies only what lies outside") {
  SharedBytes all = SharedBytes::copy_of(std::vector<uint8_t>{1, 2, 3});
  CHECK(all.slice(4, 0).empty());
  CHECK(all.slice(1, 3).empty());
  CHECK(all.slice(size_t(-1), 2).empty());
  CHECK(all.slice(3, 0).size() == 0);

  std::span<const uint8_t> inside = all.span().subspan(1, 2);
  SharedBytes shared = all.share_or_copy(inside);
  CHECK(shared.data() == inside.data());

  std::vector<uint8_t> elsewhere{2, 3};
  SharedBytes copied = all.share_or_copy(elsewhere);
  CHECK(copied.data() != elsewhere.data());
  CHECK(copied == elsewhere);

  // Starts inside the view but runs past its end: copied, never sliced
  // out of range (the bytes past it belong to a wider view of the owner).
  SharedBytes wide = SharedBytes::copy_of(std::vector<uint8_t>{1, 2, 3, 4, 5});
  SharedBytes head = wide.slice(0, 3);
  std::span<const uint8_t> over(wide.data() + 2, 2);
  SharedBytes got = head.share_or_copy(over);
  CHECK(got.data() != over.data());
  CHECK(got == std::vector<uint8_t>{3, 4});
  CHECK(head.share_or_copy(std::span<const uint8_t>(wide.data() + 2, 1)).data() == wide.data() + 2);
}

TEST_CASE("shared bytes: an uninitialized buffer is filled once, then shrunk to what was written") {
  uint8_t* out = nullptr;
  SharedBytes b = SharedBytes::uninitialized(8, out);
  REQUIRE(out != nullptr);
  CHECK(b.size() == 8);
  out[0] = 'o', out[1] = 'k';
  b.shrink(2);
  CHECK(b == std::vector<uint8_t>{'o', 'k'});
  b.shrink(5);  // never grows
  CHECK(b.size() == 2);
}

TEST_CASE("shared bytes: a large uninitialized buffer (mapped on its own) is writable and freed with its last view") {
  uint8_t* out = nullptr;
  const size_t n = SharedBytes::kHugeBytes + 4096;
  SharedBytes b = SharedBytes::uninitialized(n, out);
  REQUIRE(out != nullptr);
  out[0] = 1, out[n - 1] = 2;
  SharedBytes tail = b.slice(n - 1, 1);
  b = SharedBytes();
  CHECK(tail[0] == 2);  // the mapping outlives the first view
}

TEST_CASE("shared bytes: a mapped file reads as the file, outlives its descriptor and an unlink") {
  char path[] = "/tmp/wippy-map-XXXXXX";
  int fd = ::mkstemp(path);
  REQUIRE(fd >= 0);
  std::vector<uint8_t> data(10000);
  for (size_t i = 0; i < data.size(); ++i) data[i] = uint8_t(i * 7 + 3);
  REQUIRE(::write(fd, data.data(), data.size()) == ssize_t(data.size()));
  SharedBytes m = SharedBytes::map_file(fd, data.size());
  CHECK(SharedBytes::map_file(fd, 0).empty());
  CHECK(SharedBytes::map_file(-1, 16).empty());
  ::close(fd);
  ::unlink(path);  // as the cache's eviction does: the mapping keeps the pages
  REQUIRE(m.size() == data.size());
  CHECK(m == std::span<const uint8_t>(data));
  SharedBytes tail = m.slice(9990, 10);
  m = SharedBytes();
  CHECK(tail[9] == data[9999]);
}
