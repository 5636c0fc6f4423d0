// Unit tests for v128 struct fields and array elements: struct.new/get/set
// with v128 fields between packed ones, array.new(_default/_fixed)/get/set/
// fill/copy (overlapping ranges)/new_data/init_data on (array (mut v128)),
// v128 fields in global initializers, a function with no SIMD reading a
// narrow field of a struct that has v128 fields, the traps, and the
// collector under gc_stress with v128 fields between reference fields
// (layout, marking and the stack maps of wide frames). Exports return
// v128 values as their two i64 lanes.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "call_results.h"
#include "interp/runtime/gc_heap.h"

using namespace wippy;
using namespace wippy::testing;

namespace {

// Data bytes 0x00..0x2f: the v128 at byte s has lanes le(s) and le(s + 8).
constexpr const char* kV128 = R"((module
  (type $vs (struct (field $a (mut i8)) (field $v (mut v128)) (field $b (mut i16)) (field $w v128) (field $c (mut i32))))
  (type $va (array (mut v128)))
  (type $node (struct (field $next (mut anyref)) (field $v (mut v128)) (field $leaf (mut anyref)) (field $k i64)))
  (data $d "\00\01\02\03\04\05\06\07\08\09\0a\0b\0c\0d\0e\0f\10\11\12\13\14\15\16\17\18\19\1a\1b\1c\1d\1e\1f\20\21\22\23\24\25\26\27\28\29\2a\2b\2c\2d\2e\2f")
  (global $g (ref $vs)
    (struct.new $vs (i32.const 0x1ff) (v128.const i64x2 1 2) (i32.const 0x1fffe) (v128.const i32x4 3 4 5 6) (i32.const 7)))
  (global $ga (ref $va) (array.new_fixed $va 2 (v128.const i64x2 10 11) (v128.const i64x2 12 13)))
  (global $gn (ref $va) (array.new $va (v128.const i64x2 -1 -2) (i32.const 3)))

  (func (export "struct") (param i64 i64) (result i64 i64 i32 i32 i32 i64 i64)
    (local $s (ref null $vs))
    (local.set $s (struct.new $vs (i32.const -1) (i64x2.replace_lane 1 (i64x2.splat (local.get 0)) (local.get 1))
                               (i32.const 0x8001) (v128.const i64x2 5 6) (i32.const 42)))
    (struct.set $vs $v (local.get $s) (i64x2.add (struct.get $vs $v (local.get $s)) (struct.get $vs $w (local.get $s))))
    (struct.set $vs $a (local.get $s) (i32.const 0x80))
    (i64x2.extract_lane 0 (struct.get $vs $v (local.get $s)))
    (i64x2.extract_lane 1 (struct.get $vs $v (local.get $s)))
    (struct.get_s $vs $a (local.get $s))
    (struct.get_u $vs $b (local.get $s))
    (struct.get $vs $c (local.get $s))
    (i64x2.extract_lane 0 (struct.get $vs $w (local.get $s)))
    (i64x2.extract_lane 1 (struct.get $vs $w (local.get $s))))
  (func (export "struct-default") (result i64 i64 i32)
    (local $s (ref null $vs))
    (local.set $s (struct.new_default $vs))
    (i64x2.extract_lane 0 (struct.get $vs $w (local.get $s)))
    (i64x2.extract_lane 1 (struct.get $vs $v (local.get $s)))
    (struct.get $vs $c (local.get $s)))
  (func (export "global") (result i64 i64 i64 i64 i32 i32 i32)
    (i64x2.extract_lane 0 (struct.get $vs $v (global.get $g)))
    (i64x2.extract_lane 1 (struct.get $vs $v (global.get $g)))
    (i64x2.extract_lane 0 (struct.get $vs $w (global.get $g)))
    (i64x2.extract_lane 1 (struct.get $vs $w (global.get $g)))
    (struct.get_s $vs $a (global.get $g))
    (struct.get_u $vs $b (global.get $g))
    (struct.get $vs $c (global.get $g)))
  (func (export "global-arrays") (result i64 i64 i64 i64 i32)
    (i64x2.extract_lane 0 (array.get $va (global.get $ga) (i32.const 0)))
    (i64x2.extract_lane 1 (array.get $va (global.get $ga) (i32.const 1)))
    (i64x2.extract_lane 0 (array.get $va (global.get $gn) (i32.const 2)))
    (i64x2.extract_lane 1 (array.get $va (global.get $gn) (i32.const 2)))
    (array.len (global.get $gn)))
  ;; no SIMD here: compiled narrow
  (func (export "narrow") (result i32 i32)
    (struct.get $vs $c (global.get $g))
    (array.len (array.new_default $va (i32.const 5))))

  (func (export "array") (param $n i32) (result i64 i64 i64 i64 i32)
    (local $a (ref null $va))
    (local.set $a (array.new $va (v128.const i64x2 7 8) (local.get $n)))
    (array.set $va (local.get $a) (i32.const 1) (v128.const i32x4 1 2 3 4))
    (i64x2.extract_lane 0 (array.get $va (local.get $a) (i32.const 0)))
    (i64x2.extract_lane 1 (array.get $va (local.get $a) (i32.sub (local.get $n) (i32.const 1))))
    (i64x2.extract_lane 0 (array.get $va (local.get $a) (i32.const 1)))
    (i64x2.extract_lane 1 (array.get $va (local.get $a) (i32.const 1)))
    (array.len (local.get $a)))
  (func (export "new-default") (param $n i32) (result i64 i64 i32)
    (local $a (ref null $va))
    (local.set $a (array.new_default $va (local.get $n)))
    (i64x2.extract_lane 0 (array.get $va (local.get $a) (i32.sub (local.get $n) (i32.const 1))))
    (i64x2.extract_lane 1 (array.get $va (local.get $a) (i32.sub (local.get $n) (i32.const 1))))
    (array.len (local.get $a)))

  ;; a fresh array of four: element k is (k, 100 + k)
  (func $four (result (ref $va))
    (array.new_fixed $va 4 (v128.const i64x2 0 100) (v128.const i64x2 1 101)
                           (v128.const i64x2 2 102) (v128.const i64x2 3 103)))
  ;; the lanes of the four elements: lane 0 of each, then lane 1 of each
  (func $lanes (param $a (ref $va)) (result i64 i64 i64 i64 i64 i64 i64 i64)
    (i64x2.extract_lane 0 (array.get $va (local.get $a) (i32.const 0)))
    (i64x2.extract_lane 0 (array.get $va (local.get $a) (i32.const 1)))
    (i64x2.extract_lane 0 (array.get $va (local.get $a) (i32.const 2)))
    (i64x2.extract_lane 0 (array.get $va (local.get $a) (i32.const 3)))
    (i64x2.extract_lane 1 (array.get $va (local.get $a) (i32.const 0)))
    (i64x2.extract_lane 1 (array.get $va (local.get $a) (i32.const 1)))
    (i64x2.extract_lane 1 (array.get $va (local.get $a) (i32.const 2)))
    (i64x2.extract_lane 1 (array.get $va (local.get $a) (i32.const 3))))
  (func (export "fixed") (result i64 i64 i64 i64 i64 i64 i64 i64) (call $lanes (call $four)))
  (func (export "fill") (param $i i32) (param $n i32) (result i64 i64 i64 i64 i64 i64 i64 i64)
    (local $a (ref null $va))
    (local.set $a (call $four))
    (array.fill $va (local.get $a) (local.get $i) (v128.const i64x2 -1 -2) (local.get $n))
    (call $lanes (ref.as_non_null (local.get $a))))
  (func (export "copy") (param $d i32) (param $s i32) (param $n i32) (result i64 i64 i64 i64 i64 i64 i64 i64)
    (local $a (ref null $va))
    (local.set $a (call $four))
    (array.copy $va $va (local.get $a) (local.get $d) (local.get $a) (local.get $s) (local.get $n))
    (call $lanes (ref.as_non_null (local.get $a))))
  (func (export "new-data") (param $s i32) (param $n i32) (result i32 i64 i64)
    (local $a (ref null $va))
    (local.set $a (array.new_data $va $d (local.get $s) (local.get $n)))
    (array.len (local.get $a))
    (i64x2.extract_lane 0 (array.get $va (local.get $a) (i32.const 0)))
    (i64x2.extract_lane 1 (array.get $va (local.get $a) (i32.sub (local.get $n) (i32.const 1)))))
  (func (export "init-data") (param $d i32) (param $s i32) (param $n i32) (result i64 i64 i64 i64 i64 i64 i64 i64)
    (local $a (ref null $va))
    (local.set $a (call $four))
    (array.init_data $va $d (local.get $a) (local.get $d) (local.get $s) (local.get $n))
    (call $lanes (ref.as_non_null (local.get $a))))
  (func (export "set") (param $i i32)
    (array.set $va (call $four) (local.get $i) (v128.const i64x2 0 0)))
  (func (export "null-struct") (result i64) (i64x2.extract_lane 0 (struct.get $vs $v (ref.null $vs))))
  (func (export "null-set") (struct.set $vs $v (ref.null $vs) (v128.const i64x2 0 0)))
  (func (export "null-array") (result i64) (i64x2.extract_lane 0 (array.get $va (ref.null $va) (i32.const 0))))

  ;; A list of n nodes, each made while its other operands wait on the
  ;; stack: the previous head (a reference), a v128 and a reference made by
  ;; the allocating call; garbage v128 arrays in between. Walking it sums,
  ;; for node i, i + 1000 (its v128), i (its leaf's v128 lane 1) and i (k).
  (func $id (param anyref) (result anyref) (local.get 0))
  (func $vec (param $i i64) (result v128) (i64x2.replace_lane 1 (i64x2.splat (local.get $i)) (i64.const 1000)))
  (func $leaf (param $k i64) (result anyref)
    (drop (array.new $va (v128.const i64x2 -1 -1) (i32.const 3)))
    (struct.new $vs (i32.const 1) (i64x2.splat (local.get $k)) (i32.const 2) (v128.const i64x2 0 0) (i32.wrap_i64 (local.get $k))))
  (func (export "stress") (param $n i32) (result i64)
    (local $head anyref) (local $i i32) (local $acc i64) (local $p (ref null $node)) (local $keep v128)
    (local.set $keep (v128.const i64x2 5 6))
    (loop $build
      (local.set $head
        (struct.new $node (call $id (local.get $head)) (call $vec (i64.extend_i32_u (local.get $i)))
                          (call $leaf (i64.extend_i32_u (local.get $i))) (i64.extend_i32_u (local.get $i))))
      (drop (array.new_fixed $va 2 (local.get $keep) (call $vec (i64.const 9))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $build (i32.lt_u (local.get $i) (local.get $n))))
    (block $done
      (loop $walk
        (br_if $done (ref.is_null (local.get $head)))
        (local.set $p (ref.cast (ref $node) (local.get $head)))
        (local.set $acc (i64.add (local.get $acc)
          (i64.add (i64x2.extract_lane 0 (struct.get $node $v (local.get $p)))
                   (i64x2.extract_lane 1 (struct.get $node $v (local.get $p))))))
        (local.set $acc (i64.add (local.get $acc)
          (i64x2.extract_lane 1 (struct.get $vs $v (ref.cast (ref $vs) (struct.get $node $leaf (local.get $p)))))))
        (local.set $acc (i64.add (local.get $acc) (struct.get $node $k (local.get $p))))
        (local.set $head (struct.get $node $next (local.get $p)))
        (br $walk)))
    (i64.add (local.get $acc) (i64x2.extract_lane 1 (local.get $keep))))
))";

// The little-endian i64 of data bytes s..s+7 (byte k of the data is k).
uint64_t le(uint64_t s) {
  uint64_t v = 0;
  for (uint64_t k = 0; k < 8; ++k) v |= (s + k) << (8 * k);
  return v;
}

using U = std::vector<uint64_t>;
constexpr uint64_t kM1 = ~uint64_t{0}, kM2 = ~uint64_t{1};  // -1, -2

}  // namespace

TEST_CASE("gc v128: struct fields new/get/set beside packed fields; defaults; global initializers") {
  Store s;
  Instance* inst = instantiate_ok(s, compile_wat_module(kV128));
  CHECK(call_results(s, inst, "struct", {val_i64(0x1111222233334444), val_i64(40)}) ==
        U{0x1111222233334449, 46, 0xFFFFFF80u, 0x8001, 42, 5, 6});
  CHECK(call_results(s, inst, "struct-default") == U{0, 0, 0});
  CHECK(call_results(s, inst, "global") == U{1, 2, 0x0000000400000003, 0x0000000600000005, 0xFFFFFFFFu, 0xFFFE, 7});
  CHECK(call_results(s, inst, "global-arrays") == U{10, 13, kM1, kM2, 3});
  CHECK(call_results(s, inst, "narrow") == U{7, 5});
}

TEST_CASE("gc v128: array new/new_default/new_fixed/get/set") {
  Store s;
  Instance* inst = instantiate_ok(s, compile_wat_module(kV128));
  CHECK(call_results(s, inst, "array", {val_i32(3)}) == U{7, 8, 0x0000000200000001, 0x0000000400000003, 3});
  CHECK(call_results(s, inst, "new-default", {val_i32(6)}) == U{0, 0, 6});
  CHECK(call_results(s, inst, "fixed") == U{0, 1, 2, 3, 100, 101, 102, 103});
}

TEST_CASE("gc v128: array fill, copy of overlapping ranges, new_data and init_data") {
  Store s;
  Instance* inst = instantiate_ok(s, compile_wat_module(kV128));
  auto fill = [&](uint32_t i, uint32_t n) { return call_results(s, inst, "fill", {val_i32(i), val_i32(n)}); };
  CHECK(fill(1, 2) == U{0, kM1, kM1, 3, 100, kM2, kM2, 103});
  CHECK(fill(4, 0) == U{0, 1, 2, 3, 100, 101, 102, 103});
  auto copy = [&](uint32_t d, uint32_t src, uint32_t n) {
    return call_results(s, inst, "copy", {val_i32(d), val_i32(src), val_i32(n)});
  };
  CHECK(copy(1, 0, 3) == U{0, 0, 1, 2, 100, 100, 101, 102});  // forward overlap
  CHECK(copy(0, 1, 3) == U{1, 2, 3, 3, 101, 102, 103, 103});  // backward overlap
  CHECK(copy(3, 0, 1) == U{0, 1, 2, 0, 100, 101, 102, 100});
  auto new_data = [&](uint32_t src, uint32_t n) { return call_results(s, inst, "new-data", {val_i32(src), val_i32(n)}); };
  CHECK(new_data(0, 3) == U{3, le(0), le(40)});
  CHECK(new_data(1, 2) == U{2, le(1), le(25)});
  CHECK(new_data(32, 1) == U{1, le(32), le(40)});
  auto init = [&](uint32_t d, uint32_t src, uint32_t n) {
    return call_results(s, inst, "init-data", {val_i32(d), val_i32(src), val_i32(n)});
  };
  CHECK(init(1, 3, 2) == U{0, le(3), le(19), 3, 100, le(11), le(27), 103});
  CHECK(init(0, 32, 1) == U{le(32), 1, 2, 3, le(40), 101, 102, 103});
  CHECK(init(4, 48, 0) == U{0, 1, 2, 3, 100, 101, 102, 103});
}

TEST_CASE("gc v128: out of bounds and null traps") {
  Store s;
  Instance* inst = instantiate_ok(s, compile_wat_module(kV128));
  CHECK(call_trap(s, inst, "array", {val_i32(1)}) == "out of bounds array access");  // set at 1
  CHECK(call_trap(s, inst, "new-default", {val_i32(0)}) == "out of bounds array access");
  CHECK(call_trap(s, inst, "set", {val_i32(4)}) == "out of bounds array access");
  CHECK(call_trap(s, inst, "set", {val_i32(0xFFFFFFFFu)}) == "out of bounds array access");
  CHECK(call_trap(s, inst, "fill", {val_i32(3), val_i32(2)}) == "out of bounds array access");
  CHECK(call_trap(s, inst, "fill", {val_i32(1), val_i32(0xFFFFFFFFu)}) == "out of bounds array access");
  CHECK(call_trap(s, inst, "copy", {val_i32(2), val_i32(0), val_i32(3)}) == "out of bounds array access");
  CHECK(call_trap(s, inst, "copy", {val_i32(0), val_i32(2), val_i32(3)}) == "out of bounds array access");
  CHECK(call_trap(s, inst, "new-data", {val_i32(33), val_i32(1)}) == "out of bounds memory access");
  CHECK(call_trap(s, inst, "new-data", {val_i32(0), val_i32(4)}) == "out of bounds memory access");
  CHECK(call_trap(s, inst, "new-data", {val_i32(0), val_i32(0x10000000)}) == "out of bounds memory access");
  CHECK(call_trap(s, inst, "init-data", {val_i32(3), val_i32(0), val_i32(2)}) == "out of bounds array access");
  CHECK(call_trap(s, inst, "init-data", {val_i32(0), val_i32(40), val_i32(1)}) == "out of bounds memory access");
  CHECK(call_trap(s, inst, "null-struct") == "null structure reference");
  CHECK(call_trap(s, inst, "null-set") == "null structure reference");
  CHECK(call_trap(s, inst, "null-array") == "null array reference");
}

TEST_CASE("gc v128: v128 fields between reference fields survive gc_stress (a collection at every allocation)") {
  for (bool stress : {false, true}) {
    CAPTURE(stress);
    Store s;
    s.gc_stress = stress;
    Instance* inst = instantiate_ok(s, compile_wat_module(kV128));
    const uint64_t n = 60;  // sum of 3i + 1000 over 0..59, plus 6
    CHECK(call_results(s, inst, "stress", {val_i32(uint32_t(n))}) == U{3 * n * (n - 1) / 2 + 1000 * n + 6});
    CHECK(call_results(s, inst, "global") == U{1, 2, 0x0000000400000003, 0x0000000600000005, 0xFFFFFFFFu, 0xFFFE, 7});
    CHECK(call_results(s, inst, "global-arrays") == U{10, 13, kM1, kM2, 3});
    if (stress) CHECK(s.gc_heap()->collections() >= 4 * n);  // four allocations per node
  }
}
