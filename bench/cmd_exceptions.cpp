// cmd_exceptions.cpp — `wippy-bench exceptions [--runs N] [--n N]`: an
// exception thrown and caught --n times (default 1,000,000). Three WAT
// functions loop --n times:
//   throw_catch   a try_table whose body throws a tag with an i32 payload,
//                 caught by `catch` in the same function;
//   throw_callee  the same, thrown one call deeper (one frame unwound);
//   call_only     the loop with the call but no throw: the baseline.
// Each is timed --runs times (default 3) after one warm-up call; the median
// is reported as ms, ns per iteration and millions per second. Every call
// returns the sum of the caught payloads, which is checked.
#include <cstdio>
#include <vector>

#include "commands.h"
#include "interp/store.h"
#include "timing.h"
#include "wat_instance.h"

namespace wippy::bench {

namespace {

constexpr const char* kExnWat = R"((module
  (tag $e (param i32))
  (func $thrower (param i32) (throw $e (local.get 0)))
  (func $quiet (param i32))
  (func (export "throw_catch") (param i32) (result i32) (local $sum i32)
    (loop $next
      (block $h (result i32)
        (try_table (catch $e $h) (throw $e (i32.const 1)))
        (unreachable))
      (local.set $sum (i32.add (local.get $sum)))
      (br_if $next (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    (local.get $sum))
  (func (export "throw_callee") (param i32) (result i32) (local $sum i32)
    (loop $next
      (block $h (result i32)
        (try_table (catch $e $h) (call $thrower (i32.const 1)))
        (unreachable))
      (local.set $sum (i32.add (local.get $sum)))
      (br_if $next (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    (local.get $sum))
  (func (export "call_only") (param i32) (result i32) (local $sum i32)
    (loop $next
      (block $h (result i32)
        (try_table (catch $e $h) (call $quiet (i32.const 1)))
        (i32.const 1))
      (local.set $sum (i32.add (local.get $sum)))
      (br_if $next (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    (local.get $sum)))
)";

}  // namespace

int cmd_exceptions(const Args& args) {
  const int runs = args.runs > 0 ? args.runs : 3;
  const uint32_t n = args.n > 0 ? uint32_t(args.n) : 1'000'000u;
  Store store;
  Instance* inst = instantiate_wat_or_report(store, kExnWat);
  if (!inst) return 1;
  std::printf("exceptions: n=%u iterations, median of %d runs\n", n, runs);
  int status = 0;
  for (const char* name : {"throw_catch", "throw_callee", "call_only"}) {
    const double ms = median_call_ms(store, inst->export_func(name), name, n, runs);
    if (ms < 0) {
      status = 1;
      continue;
    }
    std::printf("  %-14s %9.1f ms  %7.1f ns/iter  %6.2f M/s\n", name, ms, ms * 1e6 / n, double(n) / ms / 1000.0);
  }
  return status;
}

}  // namespace wippy::bench
