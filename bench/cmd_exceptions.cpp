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
#include <fmt/format.h>

#include <cstdio>
#include <string>

#include "commands.h"
#include "interp/store.h"
#include "timing.h"
#include "wat_instance.h"

namespace wippy::bench {

namespace {

// An export `name`(n) that runs a try_table around `body` n times and returns
// the sum of what its block yields: the payload caught from $e, or `no_throw`
// after a body that returns.
std::string counted_try(const char* name, const char* body, const char* no_throw) {
  return fmt::format(R"(
  (func (export "{}") (param i32) (result i32) (local $sum i32)
    (loop $next
      (block $h (result i32)
        (try_table (catch $e $h) {})
        {})
      (local.set $sum (i32.add (local.get $sum)))
      (br_if $next (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    (local.get $sum)))",
                     name, body, no_throw);
}

// The module: tag $e, $thrower, $quiet and the three counted_try exports.
std::string exn_wat() {
  return R"((module
  (tag $e (param i32))
  (func $thrower (param i32) (throw $e (local.get 0)))
  (func $quiet (param i32)))" +
         counted_try("throw_catch", "(throw $e (i32.const 1))", "(unreachable)") +
         counted_try("throw_callee", "(call $thrower (i32.const 1))", "(unreachable)") +
         counted_try("call_only", "(call $quiet (i32.const 1))", "(i32.const 1)") + ")\n";
}

}  // namespace

int cmd_exceptions(const Args& args) {
  const TimingArgs t = timing_args(args, 1'000'000);
  const uint32_t n = uint32_t(t.n);
  Store store;
  Instance* inst = start_timing(store, exn_wat(), "exceptions", t, "iterations");
  if (!inst) return 1;
  return time_each(
      {"throw_catch", "throw_callee", "call_only"},
      [&](const char* name) { return median_call_ms(store, inst->export_func(name), name, n, t.runs); },
      [&](const char* name, double ms) {
        std::printf("  %-14s %9.1f ms  %7.1f ns/iter  %6.2f M/s\n", name, ms, ms * 1e6 / n, double(n) / ms / 1000.0);
      });
}

}  // namespace wippy::bench
