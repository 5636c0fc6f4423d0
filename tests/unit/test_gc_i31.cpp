// Unit tests for GC's i31 values and the any/extern bridge: ref.i31 and
// i31.get_s/_u (wrapping, sign, the null trap), ref.eq over i31s, constant
// i31 globals, casts to i31/eq/any, and the bits of an externref surviving
// any.convert_extern and extern.convert_any exactly (interp/ref_bits.h).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "interp/ref_bits.h"
#include "wat_module.h"

using namespace wippy;
using namespace wippy::testing;

TEST_CASE("gc i31: the encoding keeps 31 bits, sign-extends for get_s, stays apart from host values") {
  CHECK(ref_is_i31(ref_i31(0)));
  CHECK(ref_i31(0) != 0);
  CHECK(i31_get_u(ref_i31(0xFFFFFFFFu)) == 0x7FFFFFFFu);
  CHECK(i31_get_s(ref_i31(0xFFFFFFFFu)) == 0xFFFFFFFFu);
  CHECK(i31_get_s(ref_i31(0x40000000u)) == 0xC0000000u);
  CHECK(i31_get_s(ref_i31(0x3FFFFFFFu)) == 0x3FFFFFFFu);
  CHECK(ref_i31(0x80000005u) == ref_i31(5));  // canonical: ref.eq compares bits
  CHECK(ref_is_host(1));
  CHECK(ref_is_host(kMaxHostRef));
  CHECK_FALSE(ref_is_host(ref_i31(1)));
  CHECK_FALSE(ref_of_abstract(ref_i31(1), kHeapStruct));
  CHECK(ref_of_abstract(ref_i31(1), kHeapEq));
  CHECK_FALSE(ref_of_abstract(7, kHeapEq));  // a host value is an anyref, not an eqref
}

TEST_CASE("gc i31: ref.i31, i31.get_s/_u, ref.eq and constant globals") {
  Store s;
  Instance* inst = instantiate_ok(s, compile_wat_module(R"((module
    (global $g (ref i31) (ref.i31 (i32.const -3)))
    (global $a anyref (ref.i31 (i32.const 1234)))
    (func (export "get_s") (param i32) (result i32) (i31.get_s (ref.i31 (local.get 0))))
    (func (export "get_u") (param i32) (result i32) (i31.get_u (ref.i31 (local.get 0))))
    (func (export "global") (result i32) (i31.get_s (global.get $g)))
    (func (export "any-global") (result i32) (i31.get_u (ref.cast i31ref (global.get $a))))
    (func (export "eq") (param i32 i32) (result i32) (ref.eq (ref.i31 (local.get 0)) (ref.i31 (local.get 1))))
    (func (export "eq-null") (result i32) (ref.eq (ref.null eq) (ref.null i31)))
    (func (export "null") (result i32) (i31.get_u (ref.null i31)))))"));
  auto call = [&](const char* name, std::vector<Value> args = {}) { return call_i32(s, inst, name, std::move(args)); };
  CHECK(call("get_s", {val_i32(0x7FFFFFFFu)}) == 0xFFFFFFFFu);
  CHECK(call("get_u", {val_i32(0x7FFFFFFFu)}) == 0x7FFFFFFFu);
  CHECK(call("get_u", {val_i32(0x80000000u)}) == 0);
  CHECK(call("get_s", {val_i32(42)}) == 42);
  CHECK(call("global") == uint32_t(-3));
  CHECK(call("any-global") == 1234);
  CHECK(call("eq", {val_i32(5), val_i32(5)}) == 1);
  CHECK(call("eq", {val_i32(5), val_i32(0x80000005u)}) == 1);  // both wrap to 5
  CHECK(call("eq", {val_i32(5), val_i32(6)}) == 0);
  CHECK(call("eq-null") == 1);
  auto r = call_export(s, inst, "null");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == ErrorKind::Trap);
  CHECK(r.error().message == "null i31 reference");
  CHECK(invalid_because("(module (func (result i32) (ref.eq (ref.null any) (ref.null any))))", "type mismatch"));
  CHECK(invalid_because("(module (func (result i32) (i31.get_u (ref.null eq))))", "type mismatch"));
}

TEST_CASE("gc i31: casts of i31, host and null values in the any hierarchy") {
  Store s;
  Instance* inst = instantiate_ok(s, compile_wat_module(R"((module
    (type $s (struct))
    (func (export "test") (param externref) (result i32 i32 i32 i32 i32 i32)
      (ref.test i31ref (any.convert_extern (local.get 0)))
      (ref.test eqref (any.convert_extern (local.get 0)))
      (ref.test (ref any) (any.convert_extern (local.get 0)))
      (ref.test (ref struct) (any.convert_extern (local.get 0)))
      (ref.test (ref $s) (any.convert_extern (local.get 0)))
      (ref.test (ref none) (any.convert_extern (local.get 0))))
    (func (export "i31") (param i32) (result externref) (extern.convert_any (ref.i31 (local.get 0))))
    (func (export "back") (param externref) (result externref)
      (extern.convert_any (any.convert_extern (local.get 0))))
    (func (export "unbox") (param externref) (result i32)
      (i31.get_u (ref.cast (ref i31) (any.convert_extern (local.get 0)))))
    (func (export "on-cast") (param externref) (result i32)
      (block $l (result i31ref)
        (br_on_cast $l anyref i31ref (any.convert_extern (local.get 0)))
        (drop) (return (i32.const -1)))
      (i31.get_u))))"));
  auto results = [&](const char* name, Value arg) {
    auto r = call_export(s, inst, name, {arg});
    REQUIRE(r.ok());
    std::vector<uint32_t> v;
    for (Value x : *r) v.push_back(x.i32);
    return v;
  };
  const Value boxed = (*call_export(s, inst, "i31", {val_i32(77)}))[0];
  CHECK(ref_is_i31(boxed.ref));
  CHECK(results("test", boxed) == std::vector<uint32_t>{1, 1, 1, 0, 0, 0});
  CHECK(results("test", val_ref(12345)) == std::vector<uint32_t>{0, 0, 1, 0, 0, 0});
  CHECK(results("test", val_ref(0)) == std::vector<uint32_t>{1, 1, 0, 0, 0, 0});
  CHECK((*call_export(s, inst, "back", {val_ref(12345)}))[0].ref == 12345);
  CHECK((*call_export(s, inst, "back", {val_ref(kMaxHostRef)}))[0].ref == kMaxHostRef);
  CHECK((*call_export(s, inst, "back", {boxed}))[0].ref == boxed.ref);
  CHECK(call_i32(s, inst, "unbox", {boxed}) == 77);
  CHECK(call_i32(s, inst, "on-cast", {boxed}) == 77);
  CHECK(call_i32(s, inst, "on-cast", {val_ref(9)}) == uint32_t(-1));
  auto r = call_export(s, inst, "unbox", {val_ref(9)});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message == "cast failure");
}
