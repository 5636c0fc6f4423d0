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
#include <thread>
#include <utility>

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

// A block of `bytes` allocated and filled, where its middle is mapped, and
// what the next allocation of that size returned after it was freed.
struct Block {
  uint8_t* at = nullptr;
  testing::Mapping mapping;
  uint8_t* again = nullptr;
};

Block fill_block(size_t bytes) {
  Block b;
  b.at = static_cast<uint8_t*>(std::malloc(bytes));
  if (b.at == nullptr) return b;
  std::memset(b.at, 7, bytes);
  b.mapping = testing::mapping_at(b.at + bytes / 2);
  std::free(b.at);
  b.again = static_cast<uint8_t*>(std::malloc(bytes));
  std::free(b.again);
  return b;
}

// Runs fn on a thread of its own (a malloc arena of its own) and joins it.
template <class Fn>
void on_new_thread(Fn&& fn) {
  std::thread t(std::forward<Fn>(fn));
  t.join();
}

}  // namespace

TEST_CASE("huge heap: a new block, a big one too, comes from a 2 MiB-aligned heap region advised for huge pages") {
  // Before the main heap moves, a thread's arena is left alone.
  bool early = true;
  on_new_thread([&] { early = put_thread_heap_on_huge_pages(); });
  CHECK_FALSE(early);

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
  // (Small blocks may still reuse blocks freed below the boundary.) Its
  // first bytes may lie just below the boundary (where the heap's header
  // went); its body is above.
  constexpr size_t kBig = size_t(256) << 10;
  const Block big = fill_block(kBig);
  REQUIRE(big.at != nullptr);
  REQUIRE(big.mapping.found);
  CHECK(big.mapping.start % kHugePageBytes == 0);
  CHECK(big.mapping.end - big.mapping.start >= kHugeHeapReserve);
  CHECK(big.mapping.flags.find(" hg ") != std::string::npos);
  CHECK(big.again == big.at);  // still a heap: freed memory is handed out again

  // A thread started now puts its own arena on huge pages: its blocks come
  // from a mapping apart from the main heap, and one past the arena's
  // first 2 MiB lies in a region advised for huge pages. (The checks run
  // here: a failed REQUIRE on that thread would end the process.)
  bool advised = false;
  Block arena;
  on_new_thread([&] {
    advised = put_thread_heap_on_huge_pages();
    arena = fill_block(size_t(8) << 20);
  });
  CHECK(advised);
  REQUIRE(arena.at != nullptr);
  REQUIRE(arena.mapping.found);
  CHECK(arena.mapping.start % kHugePageBytes == 0);
  CHECK(arena.mapping.flags.find(" hg ") != std::string::npos);
  CHECK(arena.mapping.start != big.mapping.start);  // not the main heap
  CHECK(arena.again == arena.at);  // the arena kept it (not trimmed away)
}
