// cmd_tail_calls.cpp — `wippy-bench tail-calls [--runs N] [--n N]`: a deep
// tail-recursive loop. Three WAT functions count --n (default 20,000,000)
// down to zero:
//   return_call           $even/$odd calling each other with return_call
//                         (mutual recursion --n deep, constant stack);
//   return_call_indirect  the same through a funcref table;
//   loop                  a plain `loop`/`br_if` doing the same decrement,
//                         the baseline a tail call is measured against.
// Each is timed --runs times (default 3) after one warm-up call; the median
// is reported as ms and millions of iterations per second, with the tail
// call's cost per iteration relative to the loop. The result of every call
// is checked (the parity of --n); a wrong result or a trap fails the run.
#include <cstdio>
#include <string>
#include <vector>

#include "commands.h"
#include "interp/store.h"
#include "timing.h"
#include "wat_instance.h"

namespace wippy::bench {

namespace {

constexpr const char* kTailWat = R"((module
  (type $step (func (param i64) (result i32)))
  (table funcref (elem $even_i $odd_i))
  (func $even (param i64) (result i32)
    (if (result i32) (i64.eqz (local.get 0))
      (then (i32.const 1))
      (else (return_call $odd (i64.sub (local.get 0) (i64.const 1))))))
  (func $odd (param i64) (result i32)
    (if (result i32) (i64.eqz (local.get 0))
      (then (i32.const 0))
      (else (return_call $even (i64.sub (local.get 0) (i64.const 1))))))
  (func $even_i (param i64) (result i32)
    (if (result i32) (i64.eqz (local.get 0))
      (then (i32.const 1))
      (else (return_call_indirect (type $step) (i64.sub (local.get 0) (i64.const 1)) (i32.const 1)))))
  (func $odd_i (param i64) (result i32)
    (if (result i32) (i64.eqz (local.get 0))
      (then (i32.const 0))
      (else (return_call_indirect (type $step) (i64.sub (local.get 0) (i64.const 1)) (i32.const 0)))))
  (func $loop (param i64) (result i32)
    (local i32)
    (local.set 1 (i32.const 1))
    (block $done
      (loop $next
        (br_if $done (i64.eqz (local.get 0)))
        (local.set 1 (i32.xor (local.get 1) (i32.const 1)))
        (local.set 0 (i64.sub (local.get 0) (i64.const 1)))
        (br $next)))
    (local.get 1))
  (export "return_call" (func $even))
  (export "return_call_indirect" (func $even_i))
  (export "loop" (func $loop)))
)";

// Median ms of `runs` calls of `name`(n) after a warm-up; < 0 on a failure
// (printed).
double time_export(Store& store, Instance* inst, const char* name, uint64_t n, int runs) {
  return median_call_ms(store, inst->export_func(name), name, val_i64(n), n, n % 2 == 0 ? 1 : 0, runs);
}

}  // namespace

int cmd_tail_calls(const Args& args) {
  const int runs = args.runs > 0 ? args.runs : 3;
  const uint64_t n = args.n > 0 ? uint64_t(args.n) : 20'000'000ull;
  Store store;
  Instance* inst = instantiate_wat_or_report(store, kTailWat);
  if (!inst) return 1;
  std::printf("tail-calls: n=%llu iterations, median of %d runs\n", static_cast<unsigned long long>(n),
              runs);
  const double base = time_export(store, inst, "loop", n, runs);
  if (base < 0) return 1;
  int status = 0;
  auto report = [&](const char* name, double ms) {
    std::printf("  %-22s %9.1f ms  %7.1f M/s  %5.2fx loop\n", name, ms, double(n) / ms / 1000.0,
                ms / base);
  };
  for (const char* name : {"return_call", "return_call_indirect"}) {
    const double ms = time_export(store, inst, name, n, runs);
    if (ms < 0)
      status = 1;
    else
      report(name, ms);
  }
  report("loop", base);
  return status;
}

}  // namespace wippy::bench
