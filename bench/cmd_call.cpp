// cmd_call.cpp — `wippy-bench call FILE.yaml [MORE.yaml...] ENTRY --calls N
// --concurrency C [--threads T] [--] [ARG...]`: N calls of one registry
// entry through wippy::Runtime (the same pools wippy-run uses), C in
// flight at once on fibers of one dispatcher loop. With --threads T > 0 the
// Runtime has T workers (RuntimeOptions::workers: a loop and pools per
// thread) and the C callers are Runtime::spawn tasks spread over them, so
// each call runs where its caller does (an embedder's request handlers
// would run the same way). The entry's pool is warmed first (all of a
// static pool's instances), so instantiation is not timed. ARGs are JSON
// values for a typed export, or the guest's arguments for a wasi:cli/run
// entry; guest stdout/stderr are captured and dropped. The process puts its
// malloc heap on huge pages first, as wippy-run does (base/huge_heap.h),
// unless --no-huge-heap. Prints one line:
//   calls=1000 threads=0 ok=1000 failed=0 wall=0.123s rate=8130/s p50=101.2ms p99=104.9ms rss=41MB
// where p50/p99 are per-call latencies (waiting for a pooled instance
// included; three decimals when under 1 ms) and rss is the process's peak resident set (VmHWM). The first
// failure, if any, is printed on stderr. Exit status 0 when every call
// succeeded (a wasi:cli/run call succeeds with exit code 0).
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <vector>

#include "commands.h"
#include "tests/unit/loop_or_exit.h"
#include "timing.h"
#include "base/huge_heap.h"
#include "dispatcher/dispatcher.h"
#include "wippy/runtime.h"

namespace wippy::bench {
namespace {

// The p-quantile of the latencies as "101.2ms" (three decimals below 1 ms,
// where one would round warm calls to 0.0).
std::string percentile_ms(const std::vector<uint64_t>& sorted_ns, double p) {
  double ms = 0;
  if (!sorted_ns.empty()) {
    size_t idx = size_t(p * double(sorted_ns.size() - 1) + 0.5);
    ms = double(sorted_ns[std::min(idx, sorted_ns.size() - 1)]) / 1e6;
  }
  return ms < 1 ? fmt::format("{:.3f}ms", ms) : fmt::format("{:.1f}ms", ms);
}

}  // namespace

int cmd_call(const Args& args) {
  const Args* a = &args;
  if (!a->no_huge_heap) put_heap_on_huge_pages();
  RuntimeOptions ro;
  ro.inherit_stdio = false;
  ro.workers = uint32_t(a->threads);
  auto rt = Runtime::load(a->files, ro);
  if (!rt) {
    std::fprintf(stderr, "wippy-bench call: %s\n", rt.error().message.c_str());
    return 1;
  }
  Runtime& runtime = **rt;
  auto entry = runtime.resolve(a->entry);
  if (!entry) {
    std::fprintf(stderr, "wippy-bench call: %s\n", entry.error().message.c_str());
    return 1;
  }
  if (auto w = runtime.warm(*entry); !w) {
    std::fprintf(stderr, "wippy-bench call: %s\n", w.error().message.c_str());
    return 1;
  }
  const bool command = runtime.is_command(*entry);
  CallOptions co;
  if (command) co.extra_args = a->call_args;
  const std::vector<std::string> json = command ? std::vector<std::string>{} : a->call_args;

  std::atomic<long> next{0}, ok{0}, failed{0};
  std::mutex mu;  // first_error and lat, shared by callers on several threads
  std::string first_error;
  std::vector<uint64_t> lat;
  lat.reserve(size_t(a->calls));
  // One caller: takes call numbers until none are left, a few at a time
  // and counting on its own, so that callers on different threads do not
  // meet on shared counters at every call.
  const long batch = std::max(1L, std::min(64L, long(a->calls) / (16L * std::max(1, a->concurrency))));
  auto caller = [&] {
    std::vector<uint64_t> mine;
    long my_ok = 0, my_failed = 0;
    for (;;) {
      const long first = next.fetch_add(batch);
      if (first >= a->calls) break;
      for (long i = first; i < std::min<long>(first + batch, a->calls); ++i) {
        const uint64_t t0 = disp::now_ns();
        auto r = runtime.call_json(*entry, json, co);
        mine.push_back(disp::now_ns() - t0);
        if (r && (!r->exit_code || *r->exit_code == 0)) {
          ++my_ok;
          continue;
        }
        ++my_failed;
        std::lock_guard lock(mu);
        if (first_error.empty()) first_error = r ? fmt::format("exit code {}", *r->exit_code) : r.error().message;
      }
    }
    ok += my_ok;
    failed += my_failed;
    std::lock_guard lock(mu);
    lat.insert(lat.end(), mine.begin(), mine.end());
  };
  const int callers = std::min(a->concurrency, a->calls);
  const uint64_t t0 = disp::now_ns();
  if (a->threads > 0) {
    std::atomic<int> left{callers};
    for (int c = 0; c < callers; ++c) {
      auto r = runtime.spawn([&] {
        caller();
        if (left.fetch_sub(1) == 1) left.notify_all();
      });
      if (!r) {
        std::fprintf(stderr, "wippy-bench call: %s\n", r.error().message.c_str());
        return 1;
      }
    }
    for (int n; (n = left.load()) != 0;) left.wait(n);
  } else {
    disp::LoopOptions lo;
    lo.stack_size = 256 * 1024;
    lo.time_slice_ns = 10 * 1000000ull;
    auto loop_owner = wippy::testing::loop_or_exit(lo);
    disp::Loop& loop = *loop_owner;
    for (int c = 0; c < callers; ++c)
      if (!loop.spawn(caller).valid()) {
        std::fprintf(stderr, "wippy-bench call: cannot spawn fiber %d\n", c);
        return 1;
      }
    loop.run();
  }
  const double wall = double(disp::now_ns() - t0) / 1e9;
  std::sort(lat.begin(), lat.end());
  fmt::print("calls={} threads={} ok={} failed={} wall={:.3f}s rate={:.0f}/s p50={} p99={} rss={}MB\n", a->calls,
             a->threads, ok.load(), failed.load(), wall, wall > 0 ? double(ok + failed) / wall : 0.0, percentile_ms(lat, 0.50),
             percentile_ms(lat, 0.99), peak_rss_mb());
  if (!first_error.empty()) std::fprintf(stderr, "first failure: %s\n", first_error.c_str());
  return failed == 0 && ok == a->calls ? 0 : 1;
}

}  // namespace wippy::bench
