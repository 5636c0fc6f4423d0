// Unit tests for GC struct and array objects run by the interpreter:
// struct.new(_default)/get(_s/_u)/set with packed fields, array.new
// (_default/_fixed)/get(_s/_u)/set/len, the traps (null, out of bounds,
// failed cast), casts to concrete struct types by declared subtyping, and
// the store's memory limit counting GC objects (an allocation beyond it
// traps, after a collection; test_gc_collect.cpp tests the collector);
// the bulk instructions (array.new_data/_elem, array.fill, array.copy of
// overlapping ranges, array.init_data/_elem) with their bounds near
// UINT32_MAX and dropped segments; GC constant expressions.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "call_results.h"
#include "interp/ref_bits.h"

using namespace wippy;
using namespace wippy::testing;

namespace {

constexpr const char* kObjects = R"((module
  (type $pt (sub (struct (field $x (mut i32)) (field $y (mut i64)))))
  (type $pt3 (sub $pt (struct (field $x (mut i32)) (field $y (mut i64)) (field $tag (mut i8)))))
  (type $bytes (array (mut i8)))
  (type $refs (array (mut anyref)))
  (global $keep (mut anyref) (ref.null any))
  (func (export "point") (param i32 i64) (result i64)
    (local $p (ref null $pt))
    (local.set $p (struct.new $pt (local.get 0) (local.get 1)))
    (struct.set $pt $x (local.get $p) (i32.add (struct.get $pt $x (local.get $p)) (i32.const 1)))
    (i64.add (i64.extend_i32_u (struct.get $pt 0 (local.get $p))) (struct.get $pt $y (local.get $p))))
  (func (export "packed") (param i32) (result i32 i32)
    (local $p (ref null $pt3))
    (local.set $p (struct.new_default $pt3))
    (struct.set $pt3 $tag (local.get $p) (local.get 0))
    (struct.get_s $pt3 $tag (local.get $p))
    (struct.get_u $pt3 $tag (local.get $p)))
  (func (export "array") (param i32) (result i32 i32 i32)
    (local $a (ref null $bytes))
    (local.set $a (array.new $bytes (i32.const 200) (local.get 0)))
    (array.set $bytes (local.get $a) (i32.const 1) (i32.const 7))
    (array.len (local.get $a))
    (array.get_s $bytes (local.get $a) (i32.const 0))
    (array.get_u $bytes (local.get $a) (i32.const 1)))
  (func (export "fixed") (result i32)
    (local $r (ref null $refs))
    (local.set $r (array.new_fixed $refs 3 (ref.i31 (i32.const 4)) (struct.new_default $pt) (ref.null any)))
    (global.set $keep (local.get $r))
    (i32.add (i31.get_u (ref.cast i31ref (array.get $refs (local.get $r) (i32.const 0))))
             (i32.add (ref.test (ref $pt) (array.get $refs (local.get $r) (i32.const 1)))
                      (ref.is_null (array.get $refs (local.get $r) (i32.const 2))))))
  (func (export "casts") (result i32 i32 i32 i32 i32)
    (ref.test (ref $pt) (struct.new_default $pt3))
    (ref.test (ref $pt3) (struct.new_default $pt))
    (ref.test structref (struct.new_default $pt))
    (ref.test arrayref (struct.new_default $pt))
    (ref.test eqref (array.new_default $bytes (i32.const 1))))
  (func (export "oob") (param i32) (result i32) (array.get_u $bytes (array.new_default $bytes (i32.const 4)) (local.get 0)))
  (func (export "null-struct") (result i32) (struct.get $pt $x (ref.null $pt)))
  (func (export "null-array") (result i32) (array.len (ref.null array)))
  (func (export "bad-cast") (drop (ref.cast (ref $pt3) (struct.new_default $pt))))
  (func (export "big") (param i32) (result i32) (array.len (array.new_default $refs (local.get 0))))
))";

}  // namespace

TEST_CASE("gc objects: structs and arrays, packed fields, casts and traps") {
  Store s;
  Instance* inst = instantiate_ok(s, compile_wat_module(kObjects));
  CHECK(call_results(s, inst, "point", {val_i32(41), val_i64(100)}) == std::vector<uint64_t>{142});
  CHECK(call_results(s, inst, "packed", {val_i32(0x1F0)}) == std::vector<uint64_t>{0xFFFFFFF0u, 0xF0});
  CHECK(call_results(s, inst, "array", {val_i32(5)}) == std::vector<uint64_t>{5, 0xFFFFFFC8u, 7});
  CHECK(call_results(s, inst, "fixed") == std::vector<uint64_t>{6});
  CHECK(call_results(s, inst, "casts") == std::vector<uint64_t>{1, 0, 1, 0, 1});
  CHECK(call_results(s, inst, "oob", {val_i32(3)}) == std::vector<uint64_t>{0});
  CHECK(call_trap(s, inst, "oob", {val_i32(4)}) == "out of bounds array access");
  CHECK(call_trap(s, inst, "oob", {val_i32(0xFFFFFFFFu)}) == "out of bounds array access");
  CHECK(call_trap(s, inst, "null-struct") == "null structure reference");
  CHECK(call_trap(s, inst, "null-array") == "null array reference");
  CHECK(call_trap(s, inst, "bad-cast") == "cast failure");
  CHECK(s.gc_bytes() > 0);
}

TEST_CASE("gc objects: the store's memory limit counts GC objects; beyond it an allocation traps") {
  Store s;
  s.limits.max_memory_bytes = 1 << 20;
  Instance* inst = instantiate_ok(s, compile_wat_module(kObjects));
  CHECK(call_results(s, inst, "big", {val_i32(1000)}) == std::vector<uint64_t>{1000});
  const uint64_t used = s.memory_bytes();
  CHECK(used >= 8000);
  CHECK(call_trap(s, inst, "big", {val_i32(1 << 20)}).find("out of memory") == 0);
  CHECK(call_trap(s, inst, "big", {val_i32(0xFFFFFFFFu)}).find("out of memory") == 0);
  CHECK(s.memory_bytes() <= used);  // nothing was allocated by the failed calls (garbage may be freed)
}

TEST_CASE("gc objects: with no memory limit, limits.max_gc_bytes still bounds the GC heap") {
  Store s;
  CHECK(s.limits.max_memory_bytes == 0);
  CHECK(s.limits.max_gc_bytes == uint64_t{1} << 30);  // the default
  s.limits.max_gc_bytes = 1 << 20;
  Instance* inst = instantiate_ok(s, compile_wat_module(kObjects));
  CHECK(call_results(s, inst, "big", {val_i32(1000)}) == std::vector<uint64_t>{1000});
  const uint64_t used = s.gc_bytes();
  CHECK(call_trap(s, inst, "big", {val_i32(1 << 20)}).find("out of memory") == 0);
  CHECK(s.gc_bytes() <= used);
}

TEST_CASE("gc objects: validation of struct and array instructions") {
  CHECK(invalid_because("(module (type $a (array i8)) (func (param (ref $a)) (drop (array.get $a (local.get 0) (i32.const 0)))))",
                        "type mismatch"));
  CHECK(invalid_because("(module (type $s (struct (field i32))) (func (param (ref $s)) (struct.set $s 0 (local.get 0) (i32.const 1))))",
                        "immutable"));
  CHECK(invalid_because("(module (type $s (struct (field (ref any)))) (func (drop (struct.new_default $s))))",
                        "defaultable"));
  CHECK(invalid_because("(module (type $f (func)) (func (drop (struct.new_default $f))))", "type mismatch"));
}

namespace {

// The bulk array instructions on an (array (mut i8)) built from data bytes
// 0..7; `pack` reads the eight elements back as one little-endian i64.
constexpr const char* kBulk = R"((module
  (type $bytes (array (mut i8)))
  (type $words (array (mut i32)))
  (type $funcs (array (mut funcref)))
  (data $d "\00\01\02\03\04\05\06\07")
  (elem $e func $seven $eight)
  (func $seven (result i32) (i32.const 7))
  (func $eight (result i32) (i32.const 8))
  (table $t 1 funcref)
  (func $pack (param $a (ref $bytes)) (result i64)
    (local $i i32) (local $acc i64)
    (local.set $i (i32.const 8))
    (loop $l
      (local.set $i (i32.sub (local.get $i) (i32.const 1)))
      (local.set $acc (i64.or (i64.shl (local.get $acc) (i64.const 8))
                              (i64.extend_i32_u (array.get_u $bytes (local.get $a) (local.get $i)))))
      (br_if $l (local.get $i)))
    (local.get $acc))
  (func $fresh (result (ref $bytes)) (array.new_data $bytes $d (i32.const 0) (i32.const 8)))
  (func (export "copy") (param $d i32) (param $s i32) (param $n i32) (result i64)
    (local $a (ref null $bytes))
    (local.set $a (call $fresh))
    (array.copy $bytes $bytes (local.get $a) (local.get $d) (local.get $a) (local.get $s) (local.get $n))
    (call $pack (ref.as_non_null (local.get $a))))
  (func (export "fill") (param $i i32) (param $v i32) (param $n i32) (result i64)
    (local $a (ref null $bytes))
    (local.set $a (call $fresh))
    (array.fill $bytes (local.get $a) (local.get $i) (local.get $v) (local.get $n))
    (call $pack (ref.as_non_null (local.get $a))))
  (func (export "init-data") (param $d i32) (param $s i32) (param $n i32) (result i64)
    (local $a (ref null $bytes))
    (local.set $a (array.new_default $bytes (i32.const 8)))
    (array.init_data $bytes $d (local.get $a) (local.get $d) (local.get $s) (local.get $n))
    (call $pack (ref.as_non_null (local.get $a))))
  (func (export "new-words") (param $s i32) (param $n i32) (result i32)
    (array.get $words (array.new_data $words $d (local.get $s) (local.get $n)) (i32.const 0)))
  (func (export "new-elem") (param $s i32) (param $n i32) (result i32)
    (table.set $t (i32.const 0)
      (array.get $funcs (array.new_elem $funcs $e (local.get $s) (local.get $n)) (i32.const 0)))
    (call_indirect $t (result i32) (i32.const 0)))
  (func (export "init-elem") (param $d i32) (param $s i32) (param $n i32) (result i32)
    (local $a (ref null $funcs))
    (local.set $a (array.new_default $funcs (i32.const 2)))
    (array.init_elem $funcs $e (local.get $a) (local.get $d) (local.get $s) (local.get $n))
    (ref.is_null (array.get $funcs (local.get $a) (i32.const 1))))
  (func (export "copy-null") (array.copy $bytes $bytes (ref.null $bytes) (i32.const 0) (call $fresh) (i32.const 0) (i32.const 0)))
  (func (export "drop") (data.drop $d) (elem.drop $e))
))";

}  // namespace

TEST_CASE("gc objects: array.copy of overlapping ranges moves like memmove, both directions") {
  Store s;
  Instance* inst = instantiate_ok(s, compile_wat_module(kBulk));
  auto copy = [&](uint32_t d, uint32_t src, uint32_t n) {
    return call_results(s, inst, "copy", {val_i32(d), val_i32(src), val_i32(n)});
  };
  CHECK(copy(0, 0, 0) == std::vector<uint64_t>{0x0706050403020100});
  CHECK(copy(2, 0, 5) == std::vector<uint64_t>{0x0704030201000100});  // forward overlap
  CHECK(copy(0, 2, 5) == std::vector<uint64_t>{0x0706050605040302});  // backward overlap
  CHECK(copy(1, 0, 7) == std::vector<uint64_t>{0x0605040302010000});
  CHECK(copy(8, 0, 0) == std::vector<uint64_t>{0x0706050403020100});  // empty at the end
  CHECK(call_trap(s, inst, "copy", {val_i32(9), val_i32(0), val_i32(0)}) == "out of bounds array access");
  CHECK(call_trap(s, inst, "copy", {val_i32(1), val_i32(0), val_i32(8)}) == "out of bounds array access");
  CHECK(call_trap(s, inst, "copy-null") == "null array reference");
}

TEST_CASE("gc objects: bulk array bounds are checked without 32-bit wrap-around") {
  Store s;
  Instance* inst = instantiate_ok(s, compile_wat_module(kBulk));
  const uint32_t max = 0xFFFFFFFFu;
  auto args = [](uint32_t a, uint32_t b, uint32_t c) { return std::vector<Value>{val_i32(a), val_i32(b), val_i32(c)}; };
  CHECK(call_trap(s, inst, "copy", args(1, 0, max)) == "out of bounds array access");
  CHECK(call_trap(s, inst, "copy", args(max, 0, 1)) == "out of bounds array access");
  CHECK(call_trap(s, inst, "copy", args(0, max, 2)) == "out of bounds array access");
  CHECK(call_results(s, inst, "fill", args(2, 0xAB, 3)) == std::vector<uint64_t>{0x070605ABABAB0100});
  CHECK(call_trap(s, inst, "fill", args(1, 0, max)) == "out of bounds array access");
  CHECK(call_trap(s, inst, "fill", args(max, 0, 1)) == "out of bounds array access");
  CHECK(call_results(s, inst, "init-data", args(4, 1, 3)) == std::vector<uint64_t>{0x0003020100000000});
  CHECK(call_trap(s, inst, "init-data", args(0, max, 1)) == "out of bounds memory access");
  CHECK(call_trap(s, inst, "init-data", args(0, 1, max)) == "out of bounds array access");
  CHECK(call_trap(s, inst, "init-data", args(0, 1, 8)) == "out of bounds memory access");
  CHECK(call_results(s, inst, "new-words", {val_i32(1), val_i32(1)}) == std::vector<uint64_t>{0x04030201});
  CHECK(call_trap(s, inst, "new-words", {val_i32(0), val_i32(0x40000000)}) == "out of bounds memory access");  // 2^32 bytes
  CHECK(call_trap(s, inst, "new-words", {val_i32(max), val_i32(1)}) == "out of bounds memory access");
  CHECK(call_results(s, inst, "new-elem", {val_i32(1), val_i32(1)}) == std::vector<uint64_t>{8});
  CHECK(call_trap(s, inst, "new-elem", {val_i32(max), val_i32(1)}) == "out of bounds table access");
  CHECK(call_trap(s, inst, "new-elem", {val_i32(1), val_i32(max)}) == "out of bounds table access");
  CHECK(call_results(s, inst, "init-elem", args(0, 0, 2)) == std::vector<uint64_t>{0});
  CHECK(call_results(s, inst, "init-elem", args(0, 1, 1)) == std::vector<uint64_t>{1});
  CHECK(call_trap(s, inst, "init-elem", args(max, 0, 1)) == "out of bounds array access");
  CHECK(call_trap(s, inst, "init-elem", args(0, max, 1)) == "out of bounds table access");
}

TEST_CASE("gc objects: dropped segments are empty to the bulk array instructions") {
  Store s;
  Instance* inst = instantiate_ok(s, compile_wat_module(kBulk));
  call_results(s, inst, "drop");
  CHECK(call_results(s, inst, "init-data", {val_i32(8), val_i32(0), val_i32(0)}) == std::vector<uint64_t>{0});
  CHECK(call_trap(s, inst, "init-data", {val_i32(0), val_i32(1), val_i32(0)}) == "out of bounds memory access");
  CHECK(call_trap(s, inst, "new-words", {val_i32(0), val_i32(1)}) == "out of bounds memory access");
  CHECK(call_trap(s, inst, "init-elem", {val_i32(0), val_i32(0), val_i32(1)}) == "out of bounds table access");
  CHECK(call_trap(s, inst, "init-elem", {val_i32(0), val_i32(1), val_i32(0)}) == "out of bounds table access");
}

TEST_CASE("gc objects: struct.new and array.new in constant expressions make objects at instantiation") {
  Store s;
  Instance* inst = instantiate_ok(s, compile_wat_module(R"((module
    (type $pt (struct (field i32) (field i8) (field i64)))
    (type $bytes (array i8))
    (type $pts (array (ref null $pt)))
    (global $p (ref $pt) (struct.new $pt (i32.const 5) (i32.const 0x1FF) (i64.const 7)))
    (global $b (ref $bytes) (array.new $bytes (i32.const 3) (i32.const 4)))
    (global $f (ref $bytes) (array.new_fixed $bytes 2 (i32.const 10) (i32.const 20)))
    (global $d (ref $pts) (array.new_default $pts (i32.const 2)))
    (table $t 2 anyref (struct.new_default $pt))
    (elem $e anyref (item (array.new_fixed $pts 1 (global.get $p))))
    (func (export "read") (result i32 i32 i64 i32 i32 i32 i32)
      (struct.get $pt 0 (global.get $p))
      (struct.get_s $pt 1 (global.get $p))
      (struct.get $pt 2 (global.get $p))
      (i32.add (array.len (global.get $b)) (array.get_u $bytes (global.get $b) (i32.const 3)))
      (array.get_u $bytes (global.get $f) (i32.const 1))
      (ref.is_null (array.get $pts (global.get $d) (i32.const 1)))
      (ref.test (ref $pt) (table.get $t (i32.const 1))))
    (func (export "elem") (result i32)
      (table.init $t $e (i32.const 0) (i32.const 0) (i32.const 1))
      (ref.eq (array.get $pts (ref.cast (ref $pts) (table.get $t (i32.const 0))) (i32.const 0)) (global.get $p)))
  ))"));
  CHECK(call_results(s, inst, "read") == std::vector<uint64_t>{5, 0xFFFFFFFFu, 7, 7, 20, 1, 1});
  CHECK(call_results(s, inst, "elem") == std::vector<uint64_t>{1});
}

TEST_CASE("gc objects: a constant expression's allocation beyond the store's limits fails instantiation") {
  Store s;
  s.limits.max_gc_bytes = 1 << 20;
  auto r = instantiate(s, compile_wat_module("(module (type $b (array i8)) (global (ref $b) (array.new_default $b (i32.const 0x7FFFFFFF))))"), {});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("out of memory") != std::string::npos);
}

TEST_CASE("gc objects: validation of the bulk array instructions and of GC constant expressions") {
  CHECK(invalid_because("(module (type $a (array i8)) (func (param (ref $a)) (array.fill $a (local.get 0) (i32.const 0) (i32.const 0) (i32.const 0))))",
                        "immutable array"));
  CHECK(invalid_because("(module (type $a (array (mut i8))) (type $b (array (mut i16))) (func (param (ref $a) (ref $b)) "
                        "(array.copy $a $b (local.get 0) (i32.const 0) (local.get 1) (i32.const 0) (i32.const 0))))",
                        "array types do not match"));
  CHECK(invalid_because("(module (type $a (array (mut anyref))) (data $d \"\") (func (param (ref $a)) "
                        "(array.init_data $a $d (local.get 0) (i32.const 0) (i32.const 0) (i32.const 0))))",
                        "array type is not numeric or vector"));
  CHECK(invalid_because("(module (type $a (array (mut i8))) (elem $e funcref) (func (drop (array.new_elem $a $e (i32.const 0) (i32.const 0)))))",
                        "type mismatch"));
  CHECK(invalid_because("(module (type $s (struct (field i32))) (global (ref $s) (struct.new $s (i64.const 0))))",
                        "type mismatch"));
  CHECK(invalid_because("(module (type $s (struct (field (ref any)))) (global (ref $s) (struct.new_default $s)))",
                        "defaultable"));
}
