// cmd_gc.cpp — `wippy-bench gc [--runs N] [--n N]`: GC allocation and
// collection. Four WAT functions loop --n times (default 10,000,000):
//   structs       allocates a 2-field struct and drops it;
//   structs_live  the same while a 100,000-node list stays live in a global
//                 (every collection traces it);
//   arrays        allocates an array of 8 i64 and drops it;
//   loop          the same loop allocating nothing: the reference.
// Each is timed --runs times (default 3) after one warm-up call; reported:
// median ms, ns per iteration, the ratio to `loop`, the store's collections
// and live GC bytes after the last run, and the process's peak RSS (which
// stays bounded however large --n is: short-lived objects are collected).
// Every call returns n, which is checked.
#include <cstdio>
#include <vector>

#include "commands.h"
#include "interp/runtime/gc_heap.h"
#include "timing.h"
#include "wat_instance.h"

namespace wippy::bench {

namespace {

constexpr const char* kGcWat = R"((module
  (type $node (struct (field $v i32) (field $next (ref null $node))))
  (type $vec (array (mut i64)))
  (global $live (mut (ref null $node)) (ref.null $node))
  (func (export "structs") (param $n i32) (result i32) (local $i i32)
    (loop $l
      (drop (struct.new $node (local.get $i) (ref.null $node)))
      (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.get $i))
  (func (export "structs_live") (param $n i32) (result i32) (local $i i32)
    (if (ref.is_null (global.get $live))
      (then
        (loop $b
          (global.set $live (struct.new $node (local.get $i) (global.get $live)))
          (br_if $b (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 100000))))
        (local.set $i (i32.const 0))))
    (loop $l
      (drop (struct.new $node (local.get $i) (ref.null $node)))
      (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.get $i))
  (func (export "arrays") (param $n i32) (result i32) (local $i i32)
    (loop $l
      (drop (array.new_default $vec (i32.const 8)))
      (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.get $i))
  (func (export "loop") (param $n i32) (result i32) (local $i i32) (local $s i32)
    (loop $l
      (local.set $s (i32.add (local.get $s) (local.get $i)))
      (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.get $i)))
)";

}  // namespace

int cmd_gc(const Args& args) {
  const TimingArgs t = timing_args(args, 10'000'000);
  const uint32_t n = uint32_t(t.n);
  print_timing_header("gc", t, "allocations");
  // the reference in a store of its own, so its figures are not mixed in
  double base;
  {
    Store store;
    Instance* inst = instantiate_wat_or_report(store, kGcWat);
    if (!inst) return 1;
    base = median_call_ms(store, inst->export_func("loop"), "loop", n, t.runs);
    if (base < 0) return 1;
  }
  int status = 0;
  for (const char* name : {"structs", "structs_live", "arrays"}) {
    Store store;
    auto inst = instantiate_wat(store, kGcWat);
    const double ms = inst ? median_call_ms(store, (*inst)->export_func(name), name, n, t.runs) : -1;
    if (ms < 0) {
      status = 1;
      continue;
    }
    const GcHeap* heap = store.gc_heap();
    std::printf("  %-13s %9.1f ms  %6.1f ns/alloc  %6.2fx loop  %6llu collections  %7.1f MiB live after\n", name,
                ms, ms * 1e6 / n, ms / base, static_cast<unsigned long long>(heap ? heap->collections() : 0),
                double(store.gc_bytes()) / (1 << 20));
  }
  std::printf("  %-13s %9.1f ms  %6.1f ns/iter\n", "loop", base, base * 1e6 / n);
  std::printf("  peak RSS %ld MiB\n", peak_rss_mb());
  return status;
}

}  // namespace wippy::bench
