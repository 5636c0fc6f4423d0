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
#include <fmt/format.h>

#include <cstdio>
#include <string>

#include "commands.h"
#include "interp/store.h"
#include "timing.h"
#include "wat_instance.h"

namespace wippy::bench {

namespace {

// Function `name`(n): `at_zero` when n is 0, else the tail call `call` of
// n - 1, with `call_rest` after that argument (return_call_indirect's index).
std::string parity_step(const char* name, int at_zero, const char* call, const char* call_rest = "") {
  return fmt::format(R"(
  (func {} (param i64) (result i32)
    (if (result i32) (i64.eqz (local.get 0))
      (then (i32.const {}))
      (else ({} (i64.sub (local.get 0) (i64.const 1)){})))))",
                     name, at_zero, call, call_rest);
}

// The module: $even/$odd by return_call, $even_i/$odd_i through the table,
// and $loop.
std::string tail_wat() {
  return R"((module
  (type $step (func (param i64) (result i32)))
  (table funcref (elem $even_i $odd_i)))" +
         parity_step("$even", 1, "return_call $odd") + parity_step("$odd", 0, "return_call $even") +
         parity_step("$even_i", 1, "return_call_indirect (type $step)", " (i32.const 1)") +
         parity_step("$odd_i", 0, "return_call_indirect (type $step)", " (i32.const 0)") + R"(
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
}

// Median ms of `runs` calls of `name`(n) after a warm-up; < 0 on a failure
// (printed).
double time_export(Store& store, Instance* inst, const char* name, uint64_t n, int runs) {
  return median_call_ms(store, inst->export_func(name), name, val_i64(n), n, n % 2 == 0 ? 1 : 0, runs);
}

}  // namespace

int cmd_tail_calls(const Args& args) {
  const TimingArgs t = timing_args(args, 20'000'000);
  Store store;
  Instance* inst = start_timing(store, tail_wat(), "tail-calls", t, "iterations");
  if (!inst) return 1;
  const double base = time_export(store, inst, "loop", t.n, t.runs);
  if (base < 0) return 1;
  auto report = [&](const char* name, double ms) {
    std::printf("  %-22s %9.1f ms  %7.1f M/s  %5.2fx loop\n", name, ms, double(t.n) / ms / 1000.0, ms / base);
  };
  const int status = time_each(
      {"return_call", "return_call_indirect"},
      [&](const char* name) { return time_export(store, inst, name, t.n, t.runs); }, report);
  report("loop", base);
  return status;
}

}  // namespace wippy::bench
