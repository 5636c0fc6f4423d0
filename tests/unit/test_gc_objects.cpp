// Unit tests for GC struct and array objects run by the interpreter:
// struct.new(_default)/get(_s/_u)/set with packed fields, array.new
// (_default/_fixed)/get(_s/_u)/set/len, the traps (null, out of bounds,
// failed cast), casts to concrete struct types by declared subtyping, and
// the store's memory limit counting GC objects (an allocation beyond it
// traps, after a collection; test_gc_collect.cpp tests the collector).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "interp/ref_bits.h"
#include "wat_module.h"

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

std::vector<uint64_t> results(Store& s, Instance* inst, const char* name, std::vector<Value> args = {}) {
  auto r = call_export(s, inst, name, std::move(args));
  REQUIRE_MESSAGE(r.ok(), name << ": " << (r.ok() ? "" : r.error().message));
  std::vector<uint64_t> v;
  for (Value x : *r) v.push_back(x.i64);
  return v;
}

std::string trap(Store& s, Instance* inst, const char* name, std::vector<Value> args = {}) {
  auto r = call_export(s, inst, name, std::move(args));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == ErrorKind::Trap);
  return r.error().message;
}

}  // namespace

TEST_CASE("gc objects: structs and arrays, packed fields, casts and traps") {
  Store s;
  Instance* inst = instantiate_ok(s, compile_wat_module(kObjects));
  CHECK(results(s, inst, "point", {val_i32(41), val_i64(100)}) == std::vector<uint64_t>{142});
  CHECK(results(s, inst, "packed", {val_i32(0x1F0)}) == std::vector<uint64_t>{0xFFFFFFF0u, 0xF0});
  CHECK(results(s, inst, "array", {val_i32(5)}) == std::vector<uint64_t>{5, 0xFFFFFFC8u, 7});
  CHECK(results(s, inst, "fixed") == std::vector<uint64_t>{6});
  CHECK(results(s, inst, "casts") == std::vector<uint64_t>{1, 0, 1, 0, 1});
  CHECK(results(s, inst, "oob", {val_i32(3)}) == std::vector<uint64_t>{0});
  CHECK(trap(s, inst, "oob", {val_i32(4)}) == "out of bounds array access");
  CHECK(trap(s, inst, "oob", {val_i32(0xFFFFFFFFu)}) == "out of bounds array access");
  CHECK(trap(s, inst, "null-struct") == "null structure reference");
  CHECK(trap(s, inst, "null-array") == "null array reference");
  CHECK(trap(s, inst, "bad-cast") == "cast failure");
  CHECK(s.gc_bytes() > 0);
}

TEST_CASE("gc objects: the store's memory limit counts GC objects; beyond it an allocation traps") {
  Store s;
  s.limits.max_memory_bytes = 1 << 20;
  Instance* inst = instantiate_ok(s, compile_wat_module(kObjects));
  CHECK(results(s, inst, "big", {val_i32(1000)}) == std::vector<uint64_t>{1000});
  const uint64_t used = s.memory_bytes();
  CHECK(used >= 8000);
  CHECK(trap(s, inst, "big", {val_i32(1 << 20)}).find("out of memory") == 0);
  CHECK(trap(s, inst, "big", {val_i32(0xFFFFFFFFu)}).find("out of memory") == 0);
  CHECK(s.memory_bytes() <= used);  // nothing was allocated by the failed calls (garbage may be freed)
}

TEST_CASE("gc objects: with no memory limit, limits.max_gc_bytes still bounds the GC heap") {
  Store s;
  CHECK(s.limits.max_memory_bytes == 0);
  CHECK(s.limits.max_gc_bytes == uint64_t{1} << 30);  // the default
  s.limits.max_gc_bytes = 1 << 20;
  Instance* inst = instantiate_ok(s, compile_wat_module(kObjects));
  CHECK(results(s, inst, "big", {val_i32(1000)}) == std::vector<uint64_t>{1000});
  const uint64_t used = s.gc_bytes();
  CHECK(trap(s, inst, "big", {val_i32(1 << 20)}).find("out of memory") == 0);
  CHECK(s.gc_bytes() <= used);
}

TEST_CASE("gc objects: validation of struct and array instructions") {
  CHECK(invalid_message("(module (type $a (array i8)) (func (param (ref $a)) (drop (array.get $a (local.get 0) (i32.const 0)))))")
            .find("type mismatch") != std::string::npos);
  CHECK(invalid_message("(module (type $s (struct (field i32))) (func (param (ref $s)) (struct.set $s 0 (local.get 0) (i32.const 1))))")
            .find("immutable") != std::string::npos);
  CHECK(invalid_message("(module (type $s (struct (field (ref any)))) (func (drop (struct.new_default $s))))")
            .find("defaultable") != std::string::npos);
  CHECK(invalid_message("(module (type $f (func)) (func (drop (struct.new_default $f))))").find("type mismatch") !=
        std::string::npos);
}
