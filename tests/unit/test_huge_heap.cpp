// test_huge_heap.cpp — base/huge_heap.h, in a process of its own
// (huge-heap-tests): the heap can be moved only while it is fresh, and
// moving it would change the heap every other unit test runs on.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "base/huge_heap.h"
#include "tests/unit/mapping_at.h"

using namespace wippy;

namespace {

// Whether a data-size limit (ulimit -d) leaves no room for the reserve.
bool data_limit_too_small() {
  struct rlimit rl {};
  return ::getrlimit(RLIMIT_DATA, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
         rl.rlim_cur < kHugeHeapReserve;
}

bool kernel_has_huge_pages() {
  struct stat st {};
  return ::stat("/sys/kernel/mm/transparent_hugepage/enabled", &st) == 0;
}

}  // namespace

TEST_CASE("huge heap: a new block, a big one too, comes from a 2 MiB-aligned heap region advised for huge pages") {
  const bool moved = put_heap_on_huge_pages();
  if (!kHugeHeapSupported) {
    CHECK_FALSE(moved);  // not glibc, or a sanitizer's allocator
    return;
  }
  if (!kernel_has_huge_pages()) {
    CHECK_FALSE(moved);  // madvise(MADV_HUGEPAGE) refused
    return;
  }
  if (data_limit_too_small()) {
    CHECK_FALSE(moved);  // the heap cannot grow by the reserve
    void* p = std::malloc(size_t(256) << 10);  // and still works
    CHECK(p != nullptr);
    std::free(p);
    return;
  }
  REQUIRE(moved);
  // 256 KiB: glibc would map this on its own by default (from 128 KiB).
  constexpr size_t kBig = size_t(256) << 10;
  // (Small blocks may still reuse blocks freed below the boundary.)
  auto* big = static_cast<uint8_t*>(std::malloc(kBig));
  REQUIRE(big != nullptr);
  std::memset(big, 7, kBig);
  // Its first bytes may lie just below the boundary (where the heap's
  // header went); its body is above.
  testing::Mapping r = testing::mapping_at(big + kBig / 2);
  REQUIRE(r.found);
  CHECK(r.start % kHugePageBytes == 0);
  CHECK(r.end - r.start >= kHugeHeapReserve);
  CHECK(r.flags.find(" hg ") != std::string::npos);
  // The heap still works as a heap: freed memory is handed out again.
  std::free(big);
  auto* again = static_cast<uint8_t*>(std::malloc(kBig));
  CHECK(again == big);
  std::free(again);
}
