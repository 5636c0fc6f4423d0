// bench_dispatcher.cpp — dispatcher-bench: fiber switch cost and resident
// memory per parked fiber. Run by hand (not part of the test suite):
//   dispatcher-bench [switches] [parked-fibers]
// Prints ns per fiber-to-fiber yield switch (two fibers ping-ponging) and
// the VmRSS growth per parked fiber (stack pages touched + bookkeeping).
#include <fmt/core.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "dispatcher/dispatcher.h"
#include "tests/unit/loop_or_exit.h"

using namespace wippy::disp;

namespace {

long vm_rss_kib() {
  FILE* f = std::fopen("/proc/self/status", "r");
  if (f == nullptr) return -1;
  char line[256];
  long kib = -1;
  while (std::fgets(line, sizeof line, f) != nullptr)
    if (std::strncmp(line, "VmRSS:", 6) == 0) kib = std::strtol(line + 6, nullptr, 10);
  std::fclose(f);
  return kib;
}

double switch_ns(uint64_t switches, LoopOptions opts) {
  auto loop_owner = wippy::testing::loop_or_exit(opts);
  Loop& loop = *loop_owner;
  const uint64_t per_fiber = switches / 2;
  auto body = [per_fiber] {
    for (uint64_t i = 0; i < per_fiber; ++i) (void)this_fiber::yield();
  };
  loop.spawn(body);
  loop.spawn(body);
  const uint64_t t0 = now_ns();
  loop.run();
  return double(now_ns() - t0) / double(per_fiber * 2);
}

}  // namespace

int main(int argc, char** argv) {
  const uint64_t switches = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 10000000;
  const int parked = argc > 2 ? std::atoi(argv[2]) : 10000;

  (void)switch_ns(switches / 10, {});  // warm up
  fmt::print("yield ping-pong, 2 fibers, {} switches: {:.1f} ns/switch\n", switches, switch_ns(switches, {}));
  LoopOptions sliced;
  sliced.time_slice_ns = 10000000;
  fmt::print("  same with a 10 ms time slice watchdog:     {:.1f} ns/switch\n", switch_ns(switches, sliced));

  {
    auto loop_owner = wippy::testing::loop_or_exit();
    Loop& loop = *loop_owner;
    auto gate = Pollable::manual();
    const long before = vm_rss_kib();
    for (int i = 0; i < parked; ++i) {
      if (!loop.spawn([&gate] { (void)this_fiber::block(gate); }).valid()) {
        fmt::print("spawn failed at fiber {}\n", i);
        return 1;
      }
    }
    const uint64_t t0 = now_ns();
    const RunResult r = loop.run();  // every fiber parks: stalled
    const uint64_t t1 = now_ns();
    const long after = vm_rss_kib();
    fmt::print("{} parked fibers ({}): VmRSS {} -> {} KiB, {:.0f} bytes per parked fiber\n", parked,
               r == RunResult::stalled ? "all parked" : "unexpected", before, after,
               double(after - before) * 1024.0 / parked);
    fmt::print("  run until all parked: {:.0f} ns per fiber\n", double(t1 - t0) / parked);
    const uint64_t t2 = now_ns();
    gate.notify();
    loop.run();
    fmt::print("  notify + run to completion: {:.0f} ns per fiber\n", double(now_ns() - t2) / parked);
  }
  {
    auto loop_owner = wippy::testing::loop_or_exit();
    Loop& loop = *loop_owner;
    // Spawned all at once: every fiber has its own stack mapping (2 VMAs
    // each, so keep n * 2 under vm.max_map_count).
    const int n = 20000;
    int failed = 0;
    const uint64_t t0 = now_ns();
    for (int i = 0; i < n; ++i) failed += loop.spawn([] {}).valid() ? 0 : 1;
    loop.run();
    fmt::print("spawn + run + reap of {} empty fibers at once: {:.0f} ns per fiber ({} failed)\n", n,
               double(now_ns() - t0) / n, failed);
  }
  {
    // Spawned one after another: finished stacks are reused from the cache.
    auto loop_owner = wippy::testing::loop_or_exit();
    Loop& loop = *loop_owner;
    const int n = 100000;
    int left = n;
    const uint64_t t0 = now_ns();
    loop.spawn([&] {
      while (left-- > 0) {
        (void)Loop::current()->spawn([] {});
        (void)this_fiber::yield();
      }
    });
    loop.run();
    fmt::print("spawn + run + reap of {} empty fibers in turn: {:.0f} ns per fiber\n", n,
               double(now_ns() - t0) / n);
  }
  return 0;
}
