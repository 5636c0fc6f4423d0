// Unit tests for extended constant expressions: i32/i64 add, sub and mul in
// global initializers and segment offsets, global.get of earlier immutable
// globals, and the validator's refusals (operand types, mutable or later
// globals, other instructions).
#include <doctest/doctest.h>

#include <string>

#include "wat_module.h"

using namespace wippy;
using namespace wippy::testing;

TEST_CASE("extended const: arithmetic in globals and segment offsets") {
  Store s;
  Instance* m = instantiate_ok(s, compile_wat_module(R"((module
    (memory 1)
    (table 8 funcref)
    (global $a i32 (i32.const 10))
    (global $b i32 (i32.mul (global.get $a) (i32.sub (i32.const 7) (i32.const 4))))
    (global $w i64 (i64.add (i64.mul (i64.const 0x100000000) (i64.const 3)) (i64.const -1)))
    (global $wrap i32 (i32.add (i32.const 0x7fffffff) (i32.const 1)))
    (data (i32.add (global.get $b) (i32.const 2)) "\2a")
    (elem (i32.sub (global.get $a) (i32.const 5)) $f)
    (func $f (result i32) (i32.const 77))
    (func (export "b") (result i32) (global.get $b))
    (func (export "w_hi") (result i32) (i32.wrap_i64 (i64.shr_u (global.get $w) (i64.const 32))))
    (func (export "w_lo") (result i32) (i32.wrap_i64 (global.get $w)))
    (func (export "wrap") (result i32) (global.get $wrap))
    (func (export "byte") (result i32) (i32.load8_u (i32.const 32)))
    (func (export "elem") (result i32) (call_indirect (result i32) (i32.const 5))))
  )"));
  CHECK(call_i32(s, m, "b") == 30u);
  CHECK(call_i32(s, m, "w_hi") == 2u);
  CHECK(call_i32(s, m, "w_lo") == 0xffffffffu);
  CHECK(call_i32(s, m, "wrap") == 0x80000000u);
  CHECK(call_i32(s, m, "byte") == 0x2au);
  CHECK(call_i32(s, m, "elem") == 77u);
}

TEST_CASE("extended const: the validator's refusals") {
  CHECK(invalid_message("(module (global i32 (i32.add (i32.const 1))))").find("type mismatch") == 0);
  CHECK(invalid_message("(module (global i32 (i32.add (i32.const 1) (i64.const 2))))").find("type mismatch") == 0);
  CHECK(invalid_message("(module (global i64 (i32.mul (i32.const 1) (i32.const 2))))").find("type mismatch") == 0);
  CHECK(invalid_message("(module (global i32 (i32.div_s (i32.const 1) (i32.const 2))))")
            .find("constant expression required") == 0);
  CHECK(invalid_message("(module (global i32 (global.get 1)) (global i32 (i32.const 0)))")
            .find("unknown global 1") == 0);
  CHECK(invalid_message("(module (global $m (mut i32) (i32.const 0)) (global i32 (global.get $m)))")
            .find("constant expression required") == 0);
  CHECK(invalid_message("(module (memory 1) (global $m (mut i32) (i32.const 0)) (data (global.get $m) \"\"))")
            .find("constant expression required") == 0);
}
