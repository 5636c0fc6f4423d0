// Unit tests for interp/exec: numerics, control flow, calls, traps,
// exhaustion and host re-entry, through WAT -> decode -> validate ->
// instantiate -> invoke.
#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "interp/decode/decode.h"
#include "interp/store.h"
#include "interp/text/wat.h"
#include "interp/validate/validate.h"
#include "wat_module.h"

using namespace wippy;
using wippy::testing::check_spin_interrupted;

using wippy::testing::load_wat;

namespace {


Result<std::vector<Value>> call(Store& store, Instance* inst, const char* name, std::vector<Value> args = {}) {
  FuncInst* f = inst->export_func(name);
  REQUIRE_MESSAGE(f != nullptr, name);
  return invoke(store, f, args);
}

uint32_t i32(Store& s, Instance* inst, const char* name, std::vector<Value> args = {}) {
  auto r = call(s, inst, name, std::move(args));
  REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
  REQUIRE(r->size() == 1);
  return (*r)[0].i32;
}
uint64_t i64(Store& s, Instance* inst, const char* name, std::vector<Value> args = {}) {
  auto r = call(s, inst, name, std::move(args));
  REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
  REQUIRE(r->size() == 1);
  return (*r)[0].i64;
}
uint32_t f32bits(Store& s, Instance* inst, const char* name, std::vector<Value> args) {
  auto r = call(s, inst, name, std::move(args));
  REQUIRE(r.ok());
  return std::bit_cast<uint32_t>((*r)[0].f32);
}
uint64_t f64bits(Store& s, Instance* inst, const char* name, std::vector<Value> args) {
  auto r = call(s, inst, name, std::move(args));
  REQUIRE(r.ok());
  return std::bit_cast<uint64_t>((*r)[0].f64);
}
std::string trap_of(Store& s, Instance* inst, const char* name, std::vector<Value> args = {}) {
  auto r = call(s, inst, name, std::move(args));
  REQUIRE(!r.ok());
  CHECK(r.error().kind == ErrorKind::Trap);
  return r.error().message;
}
// `(func (export "name") (param T T) (result T) (op (local.get 0) (local.get 1)))`,
// T being the type op names before its dot (f32.min: f32).
std::string binop(const char* name, std::string_view op) {
  const std::string t(op.substr(0, op.find('.')));
  return "\n    (func (export \"" + std::string(name) + "\") (param " + t + " " + t + ") (result " + t + ") (" +
         std::string(op) + " (local.get 0) (local.get 1)))";
}

Value F32(float f) { return val_f32(f); }
Value F64(double d) { return val_f64(d); }
Value fbits(uint32_t b) { return val_f32(std::bit_cast<float>(b)); }
Value dbits(uint64_t b) { return val_f64(std::bit_cast<double>(b)); }

}  // namespace

TEST_CASE("exec: float min/max, NaN propagation and signed zeros") {
  Store s;
  Instance* m = load_wat(s, "(module" + binop("fmin", "f32.min") + binop("fmax", "f32.max") +
                                binop("dmin", "f64.min") + binop("dmax", "f64.max") + ")");
  CHECK(f32bits(s, m, "fmin", {F32(0.0f), F32(-0.0f)}) == 0x80000000u);
  CHECK(f32bits(s, m, "fmin", {F32(-0.0f), F32(0.0f)}) == 0x80000000u);
  CHECK(f32bits(s, m, "fmax", {F32(-0.0f), F32(0.0f)}) == 0u);
  CHECK(f32bits(s, m, "fmax", {F32(0.0f), F32(-0.0f)}) == 0u);
  CHECK(f32bits(s, m, "fmin", {F32(1.0f), F32(2.0f)}) == std::bit_cast<uint32_t>(1.0f));
  CHECK(f32bits(s, m, "fmax", {F32(1.0f), F32(2.0f)}) == std::bit_cast<uint32_t>(2.0f));
  // NaN in either position gives a (quiet) NaN
  uint32_t r = f32bits(s, m, "fmin", {fbits(0x7fa00000u), F32(1.0f)});
  CHECK((r & 0x7fc00000u) == 0x7fc00000u);
  r = f32bits(s, m, "fmax", {F32(1.0f), fbits(0xffc00001u)});
  CHECK((r & 0x7fc00000u) == 0x7fc00000u);
  CHECK(f64bits(s, m, "dmin", {F64(0.0), F64(-0.0)}) == 0x8000000000000000ull);
  CHECK(f64bits(s, m, "dmax", {F64(-0.0), F64(0.0)}) == 0ull);
  uint64_t d = f64bits(s, m, "dmax", {dbits(0x7ff0000000000001ull), F64(5.0)});
  CHECK((d & 0x7ff8000000000000ull) == 0x7ff8000000000000ull);
}

TEST_CASE("exec: nearest, copysign, abs/neg keep NaN payloads") {
  Store s;
  Instance* m = load_wat(s, R"((module
    (func (export "near") (param f32) (result f32) (f32.nearest (local.get 0)))
    (func (export "dnear") (param f64) (result f64) (f64.nearest (local.get 0)))
    (func (export "cs") (param f32 f32) (result f32) (f32.copysign (local.get 0) (local.get 1)))
    (func (export "neg") (param f32) (result f32) (f32.neg (local.get 0)))
    (func (export "abs") (param f64) (result f64) (f64.abs (local.get 0)))))");
  CHECK(f32bits(s, m, "near", {F32(2.5f)}) == std::bit_cast<uint32_t>(2.0f));
  CHECK(f32bits(s, m, "near", {F32(3.5f)}) == std::bit_cast<uint32_t>(4.0f));
  CHECK(f32bits(s, m, "near", {F32(-0.5f)}) == 0x80000000u);
  CHECK(f64bits(s, m, "dnear", {F64(-1.5)}) == std::bit_cast<uint64_t>(-2.0));
  CHECK(f64bits(s, m, "dnear", {F64(4503599627370497.0)}) == std::bit_cast<uint64_t>(4503599627370497.0));
  CHECK(f32bits(s, m, "cs", {F32(1.0f), F32(-0.0f)}) == std::bit_cast<uint32_t>(-1.0f));
  CHECK(f32bits(s, m, "cs", {fbits(0x7fa00001u), F32(-1.0f)}) == 0xffa00001u);
  CHECK(f32bits(s, m, "neg", {fbits(0x7f800001u)}) == 0xff800001u);  // signalling NaN untouched
  CHECK(f64bits(s, m, "abs", {dbits(0xfff0000000000001ull)}) == 0x7ff0000000000001ull);
}

TEST_CASE("exec: integer division, remainder and shifts") {
  Store s;
  Instance* m = load_wat(s, "(module" + binop("div_s", "i32.div_s") + binop("rem_s", "i32.rem_s") +
                                binop("div_u64", "i64.div_u") + binop("rem_s64", "i64.rem_s") +
                                binop("rotl", "i32.rotl") + binop("rotr64", "i64.rotr") + binop("shr_s", "i32.shr_s") +
                                R"(
    (func (export "shl_imm") (param i32) (result i32) (i32.shl (local.get 0) (i32.const 33)))))");
  CHECK(i32(s, m, "div_s", {val_i32(uint32_t(-7)), val_i32(2)}) == uint32_t(-3));
  CHECK(trap_of(s, m, "div_s", {val_i32(1), val_i32(0)}) == "integer divide by zero");
  CHECK(trap_of(s, m, "div_s", {val_i32(0x80000000u), val_i32(uint32_t(-1))}) == "integer overflow");
  CHECK(i32(s, m, "rem_s", {val_i32(0x80000000u), val_i32(uint32_t(-1))}) == 0u);
  CHECK(i32(s, m, "rem_s", {val_i32(uint32_t(-7)), val_i32(2)}) == uint32_t(-1));
  CHECK(trap_of(s, m, "rem_s", {val_i32(1), val_i32(0)}) == "integer divide by zero");
  CHECK(trap_of(s, m, "div_u64", {val_i64(1), val_i64(0)}) == "integer divide by zero");
  CHECK(i64(s, m, "rem_s64", {val_i64(0x8000000000000000ull), val_i64(~0ull)}) == 0u);
  CHECK(i32(s, m, "rotl", {val_i32(0x80000001u), val_i32(33)}) == 0x00000003u);
  CHECK(i64(s, m, "rotr64", {val_i64(1), val_i64(65)}) == 0x8000000000000000ull);
  CHECK(i32(s, m, "shl_imm", {val_i32(1)}) == 2u);
  CHECK(i32(s, m, "shr_s", {val_i32(0x80000000u), val_i32(31 + 32)}) == 0xffffffffu);
}

TEST_CASE("exec: trapping and saturating truncation") {
  Store s;
  Instance* m = load_wat(s, R"((module
    (func (export "t32s") (param f32) (result i32) (i32.trunc_f32_s (local.get 0)))
    (func (export "t32u") (param f64) (result i32) (i32.trunc_f64_u (local.get 0)))
    (func (export "t64s") (param f64) (result i64) (i64.trunc_f64_s (local.get 0)))
    (func (export "sat32s") (param f32) (result i32) (i32.trunc_sat_f32_s (local.get 0)))
    (func (export "sat64u") (param f64) (result i64) (i64.trunc_sat_f64_u (local.get 0)))))");
  CHECK(i32(s, m, "t32s", {F32(-2147483648.0f)}) == 0x80000000u);
  CHECK(trap_of(s, m, "t32s", {F32(2147483648.0f)}) == "integer overflow");
  CHECK(trap_of(s, m, "t32s", {fbits(0x7fc00000u)}) == "invalid conversion to integer");
  CHECK(i32(s, m, "t32u", {F64(-0.9)}) == 0u);
  CHECK(i32(s, m, "t32u", {F64(4294967295.9)}) == 0xffffffffu);
  CHECK(trap_of(s, m, "t32u", {F64(-1.0)}) == "integer overflow");
  CHECK(trap_of(s, m, "t32u", {F64(4294967296.0)}) == "integer overflow");
  CHECK(i64(s, m, "t64s", {F64(-9223372036854775808.0)}) == 0x8000000000000000ull);
  CHECK(trap_of(s, m, "t64s", {F64(9223372036854775808.0)}) == "integer overflow");
  CHECK(i32(s, m, "sat32s", {F32(1e10f)}) == 0x7fffffffu);
  CHECK(i32(s, m, "sat32s", {F32(-1e10f)}) == 0x80000000u);
  CHECK(i32(s, m, "sat32s", {fbits(0x7fc00000u)}) == 0u);
  CHECK(i64(s, m, "sat64u", {F64(-5.0)}) == 0u);
  CHECK(i64(s, m, "sat64u", {F64(1e30)}) == ~0ull);
}

TEST_CASE("exec: multi-value blocks, br_table and loops") {
  Store s;
  Instance* m = load_wat(s, R"((module
    (func $swap (param i32 i32) (result i32 i32) (local.get 1) (local.get 0))
    (func (export "swapsub") (param i32 i32) (result i32)
      (call $swap (local.get 0) (local.get 1)) (i32.sub))
    (func (export "blockmv") (param i32) (result i32)
      (local.get 0)
      (block (param i32) (result i32 i32)
        (i32.const 10)
        (br_if 0 (local.get 0))
        (drop) (i32.const 20))
      (i32.sub))
    (func (export "retswap") (param i32 i32) (result i32 i32)
      (local.get 1) (local.get 0) (return))
    (func (export "switch") (param i32) (result i32)
      (block $d (block $c (block $b (block $a
        (br_table $a $b $c $d (local.get 0)))
        (return (i32.const 100)))
        (return (i32.const 101)))
        (return (i32.const 102)))
      (i32.const 103))
    (func (export "brtable_val") (param i32) (result i32)
      (block $x (result i32)
        (block $y (result i32)
          (br_table $x $y (i32.const 7) (local.get 0)))
        (i32.const 1000) (i32.add)))
    (func (export "sum") (param i32) (result i32) (local i32)
      (loop $l
        (local.set 1 (i32.add (local.get 1) (local.get 0)))
        (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
        (br_if $l (i32.gt_s (local.get 0) (i32.const 0))))
      (local.get 1))
    (func (export "loopparam") (result i32) (local i32)
      (i32.const 0)
      (loop $l (param i32) (result i32)
        (i32.const 1) (i32.add)
        (local.tee 0 (i32.const 0)) (drop)
        (br_if $l (i32.lt_u (local.tee 0 (i32.const 0)) (i32.const 0)))
        (i32.add (i32.const 0)))
    )
    (func (export "ifelse") (param i32) (result i32 i32)
      (i32.const 5)
      (if (param i32) (result i32 i32) (local.get 0)
        (then (i32.const 1))
        (else (i32.const 2))))
    (func (export "tee_order") (param i32) (result i32)
      (local.get 0) (local.set 0 (i32.const 9)) (local.get 0) (i32.sub))))");
  CHECK(i32(s, m, "swapsub", {val_i32(10), val_i32(3)}) == uint32_t(3 - 10));
  CHECK(i32(s, m, "blockmv", {val_i32(1)}) == uint32_t(1 - 10));
  CHECK(i32(s, m, "blockmv", {val_i32(0)}) == uint32_t(0 - 20));
  auto r = call(s, m, "retswap", {val_i32(1), val_i32(2)});
  REQUIRE(r.ok());
  CHECK((*r)[0].i32 == 2);
  CHECK((*r)[1].i32 == 1);
  for (uint32_t i = 0; i < 6; ++i) CHECK(i32(s, m, "switch", {val_i32(i)}) == 100 + std::min(i, 3u));
  CHECK(i32(s, m, "brtable_val", {val_i32(0)}) == 7u);
  CHECK(i32(s, m, "brtable_val", {val_i32(1)}) == 1007u);
  CHECK(i32(s, m, "brtable_val", {val_i32(9)}) == 1007u);
  CHECK(i32(s, m, "sum", {val_i32(100)}) == 5050u);
  CHECK(i32(s, m, "loopparam") == 1u);
  r = call(s, m, "ifelse", {val_i32(1)});
  REQUIRE(r.ok());
  CHECK((*r)[0].i32 == 5);
  CHECK((*r)[1].i32 == 1);
  r = call(s, m, "ifelse", {val_i32(0)});
  REQUIRE(r.ok());
  CHECK((*r)[1].i32 == 2);
  CHECK(i32(s, m, "tee_order", {val_i32(20)}) == 11u);
}

TEST_CASE("exec: deep recursion is Exhaustion, and the store stays usable") {
  Store s;
  Instance* m = load_wat(s, R"((module
    (func $inf (export "inf") (param i32) (result i32) (call $inf (i32.add (local.get 0) (i32.const 1))))
    (func $fib (export "fib") (param i32) (result i32)
      (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
        (then (local.get 0))
        (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                       (call $fib (i32.sub (local.get 0) (i32.const 2)))))))))");
  auto r = call(s, m, "inf", {val_i32(0)});
  REQUIRE(!r.ok());
  CHECK(r.error().kind == ErrorKind::Exhaustion);
  CHECK(r.error().message == "call stack exhausted");
  CHECK(i32(s, m, "fib", {val_i32(20)}) == 6765u);
}

TEST_CASE("exec: host function re-entering invoke, memory and traps") {
  Store s;
  Instance* inner = nullptr;
  FuncType ft{{ValType::I32}, {ValType::I32}};
  FuncInst* host = s.create_host_func(ft, [&](HostContext& ctx, std::span<const Value> args,
                                              std::span<Value> results) -> Result<void> {
    if (args[0].i32 == 0) {
      results[0] = val_i32(1000);
      return {};
    }
    // re-enter: call back into wasm with n-1
    auto r = invoke(ctx.store, inner->export_func("down"), std::vector<Value>{val_i32(args[0].i32 - 1)});
    if (!r) return r.error();
    results[0] = val_i32((*r)[0].i32 + 1);
    return {};
  });
  FuncInst* fail = s.create_host_func(FuncType{{}, {}}, [](HostContext&, std::span<const Value>,
                                                          std::span<Value>) -> Result<void> {
    return make_error(ErrorKind::Trap, "host says no");
  });
  inner = load_wat(s, R"((module
    (import "env" "host" (func $host (param i32) (result i32)))
    (import "env" "fail" (func $fail))
    (memory 1)
    (func (export "down") (param i32) (result i32)
      (local i32)
      (local.set 1 (i32.const 7))
      (i32.add (call $host (local.get 0)) (i32.sub (local.get 1) (i32.const 7))))
    (func (export "callfail") (call $fail))
    (func (export "store_load") (param i32 i32) (result i32)
      (i32.store offset=4 (local.get 0) (local.get 1))
      (i32.load offset=4 (local.get 0)))
    (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
    (func (export "unreach") (unreachable))))",
               {Extern{ExternKind::Func, host}, Extern{ExternKind::Func, fail}});
  CHECK(i32(s, inner, "down", {val_i32(5)}) == 1005u);
  auto r = call(s, inner, "callfail");
  REQUIRE(!r.ok());
  CHECK(r.error().message == "host says no");
  CHECK(i32(s, inner, "store_load", {val_i32(100), val_i32(0xdeadbeef)}) == 0xdeadbeefu);
  CHECK(trap_of(s, inner, "store_load", {val_i32(65532), val_i32(1)}) == "out of bounds memory access");
  CHECK(trap_of(s, inner, "store_load", {val_i32(0xffffffffu), val_i32(1)}) == "out of bounds memory access");
  CHECK(i32(s, inner, "grow", {val_i32(1)}) == 1u);
  CHECK(i32(s, inner, "store_load", {val_i32(65532), val_i32(42)}) == 42u);
  CHECK(trap_of(s, inner, "unreach") == "unreachable");
  // the store still works after traps
  CHECK(i32(s, inner, "down", {val_i32(0)}) == 1000u);
}

TEST_CASE("exec: call_indirect traps and interrupt hook") {
  Store s;
  Instance* m = load_wat(s, R"((module
    (type $ii (func (param i32) (result i32)))
    (table 3 funcref)
    (elem (i32.const 0) $inc $nop)
    (func $inc (type $ii) (i32.add (local.get 0) (i32.const 1)))
    (func $nop)
    (func (export "ci") (param i32 i32) (result i32)
      (call_indirect (type $ii) (local.get 1) (local.get 0)))
    (func (export "spin") (loop $l (br $l)))))");
  CHECK(i32(s, m, "ci", {val_i32(0), val_i32(41)}) == 42u);
  CHECK(trap_of(s, m, "ci", {val_i32(1), val_i32(0)}) == "indirect call type mismatch");
  CHECK(trap_of(s, m, "ci", {val_i32(2), val_i32(0)}) == "uninitialized element 2");
  CHECK(trap_of(s, m, "ci", {val_i32(3), val_i32(0)}) == "undefined element");
  check_spin_interrupted(s, m, "spin");
}

TEST_CASE("exec: compile-time stack folding stays correct across branches") {
  Store s;
  Instance* m = load_wat(s, R"((module
    (memory 1)
    ;; a deferred (local + const) carried by br_table to different targets
    (func (export "bt_addimm") (param i32 i32) (result i32)
      (block $a (result i32)
        (block $b (result i32)
          (i32.add (local.get 0) (i32.const 5))
          (local.get 1)
          (br_table $a $b))
        (i32.const 100) (i32.add)))
    ;; a pending local.get below a block whose body overwrites the local on one path
    (func (export "pending_local") (param i32 i32) (result i32)
      (local.get 0)
      (block
        (br_if 0 (local.get 1))
        (local.set 0 (i32.const 77)))
      (local.get 0)
      (i32.sub))
    ;; x; local.set folding must not clobber a pending read of the same local
    (func (export "fold_guard") (param i32) (result i32)
      (local.get 0)
      (local.set 0 (i32.add (local.get 0) (i32.const 1)))
      (local.get 0)
      (i32.mul))
    ;; folded address arithmetic wraps at 32 bits before the offset is added
    (func (export "wrap_addr") (param i32) (result i32)
      (i32.store (i32.const 8) (i32.const 0x1234))
      (i32.load offset=4 (i32.add (local.get 0) (i32.const 0x10))))))");
  CHECK(i32(s, m, "bt_addimm", {val_i32(1), val_i32(0)}) == 6u);
  CHECK(i32(s, m, "bt_addimm", {val_i32(1), val_i32(1)}) == 106u);
  CHECK(i32(s, m, "bt_addimm", {val_i32(1), val_i32(7)}) == 106u);
  CHECK(i32(s, m, "pending_local", {val_i32(10), val_i32(1)}) == 0u);
  CHECK(i32(s, m, "pending_local", {val_i32(10), val_i32(0)}) == uint32_t(10 - 77));
  CHECK(i32(s, m, "fold_guard", {val_i32(6)}) == 42u);
  // 0xfffffff4 + 0x10 wraps to 4; + offset 4 = 8
  CHECK(i32(s, m, "wrap_addr", {val_i32(0xfffffff4u)}) == 0x1234u);
  CHECK(trap_of(s, m, "wrap_addr", {val_i32(0xffffffe0u)}) == "out of bounds memory access");
}

TEST_CASE("exec: ExecLimits::max_call_depth bounds recursion") {
  Store s;
  s.limits.max_call_depth = 100;
  Instance* m = load_wat(s, R"((module
    (func $down (export "down") (param i32) (result i32)
      (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
        (else (i32.add (i32.const 1) (call $down (i32.sub (local.get 0) (i32.const 1)))))))))");
  CHECK(i32(s, m, "down", {val_i32(50)}) == 50u);
  auto r = call(s, m, "down", {val_i32(500)});
  REQUIRE(!r.ok());
  CHECK(r.error().kind == ErrorKind::Exhaustion);
  s.limits.max_call_depth = 1000;
  CHECK(i32(s, m, "down", {val_i32(500)}) == 500u);
}

TEST_CASE("exec: fused load/store copies and f64 memory operands") {
  Store s;
  Instance* m = load_wat(s, R"((module
    (memory 1)
    (func (export "copy8") (param i32 i32) (result i64)
      (i64.store offset=8 (local.get 0) (i64.load (i32.add (local.get 1) (i32.const 16))))
      (i64.load offset=8 (local.get 0)))
    (func (export "copyb") (param i32 i32) (result i32)
      (i32.store8 (local.get 0) (i32.load8_s (local.get 1)))
      (i32.load8_u (local.get 0)))
    (func (export "fsub") (param f64 i32) (result f64)
      (f64.store (i32.const 64) (f64.const 1.5))
      (f64.sub (local.get 0) (f64.load (local.get 1))))
    (func (export "setup")
      (i64.store (i32.const 116) (i64.const 0x1122334455667788))
      (i32.store8 (i32.const 200) (i32.const 0xfe)))))");
  REQUIRE(call(s, m, "setup").ok());
  CHECK(i64(s, m, "copy8", {val_i32(300), val_i32(100)}) == 0x1122334455667788ull);
  CHECK(trap_of(s, m, "copy8", {val_i32(65530), val_i32(100)}) == "out of bounds memory access");
  CHECK(trap_of(s, m, "copy8", {val_i32(0), val_i32(65530)}) == "out of bounds memory access");
  CHECK(i32(s, m, "copyb", {val_i32(400), val_i32(200)}) == 0xfeu);
  auto r = call(s, m, "fsub", {F64(10.0), val_i32(64)});
  REQUIRE(r.ok());
  CHECK((*r)[0].f64 == 8.5);
  CHECK(trap_of(s, m, "fsub", {F64(1.0), val_i32(65535)}) == "out of bounds memory access");
}

TEST_CASE("exec: store and copy runs keep order, overlap and partial effects on traps") {
  Store s;
  Instance* m = load_wat(s, R"((module
    (memory 1)
    ;; four byte copies through the same base slots (one run): overlapping
    ;; forward copy smears byte 0, as four separate copies would
    (func (export "smear") (param i32) (result i32)
      (i32.store8 offset=1 (local.get 0) (i32.load8_u offset=0 (local.get 0)))
      (i32.store8 offset=2 (local.get 0) (i32.load8_u offset=1 (local.get 0)))
      (i32.store8 offset=3 (local.get 0) (i32.load8_u offset=2 (local.get 0)))
      (i32.store8 offset=4 (local.get 0) (i32.load8_u offset=3 (local.get 0)))
      (i32.load offset=1 (local.get 0)))
    ;; run of i64 stores of one value; the last one is out of bounds when
    ;; the base is near the end: the earlier ones must have happened
    (func (export "fill") (param i32 i64)
      (i64.store offset=0 (local.get 0) (local.get 1))
      (i64.store offset=8 (local.get 0) (local.get 1))
      (i64.store (i32.add (local.get 0) (i32.const 16)) (local.get 1))
      (i64.store offset=24 (local.get 0) (local.get 1)))
    (func (export "ld64") (param i32) (result i64) (i64.load (local.get 0)))
    (func (export "ld8") (param i32) (result i32) (i32.load8_u (local.get 0)))
    (func (export "st8") (param i32 i32) (i32.store8 (local.get 0) (local.get 1)))
    ;; a branch target between two stores splits the run
    (func (export "split") (param i32 i32) (result i32)
      (i32.store (local.get 0) (local.get 1))
      (block
        (br_if 0 (i32.eqz (local.get 1)))
        (i32.store offset=4 (local.get 0) (local.get 1)))
      (i32.store offset=8 (local.get 0) (local.get 1))
      (i32.add (i32.load offset=4 (local.get 0)) (i32.load offset=8 (local.get 0))))))");
  REQUIRE(call(s, m, "st8", {val_i32(1000), val_i32(0xab)}).ok());
  CHECK(i32(s, m, "smear", {val_i32(1000)}) == 0xababababu);
  REQUIRE(call(s, m, "fill", {val_i32(2000), val_i64(0x0102030405060708ull)}).ok());
  CHECK(i64(s, m, "ld64", {val_i32(2024)}) == 0x0102030405060708ull);
  CHECK(trap_of(s, m, "fill", {val_i32(65536 - 24), val_i64(7)}) == "out of bounds memory access");
  CHECK(i64(s, m, "ld64", {val_i32(65536 - 8)}) == 7u);
  CHECK(i64(s, m, "ld64", {val_i32(65536 - 24)}) == 7u);
  CHECK(i32(s, m, "split", {val_i32(3000), val_i32(5)}) == 10u);
  REQUIRE(call(s, m, "st8", {val_i32(3004), val_i32(9)}).ok());
  CHECK(i32(s, m, "split", {val_i32(3000), val_i32(0)}) == 9u);
}

TEST_CASE("exec: add+compare+branch loop counters and f64 multiply-add stores") {
  Store s;
  Instance* m = load_wat(s, R"((module
    (memory 1)
    ;; counts up by 3 until != fails: exits at exactly 30
    (func (export "count") (param i32) (result i32) (local i32)
      (loop
        (local.set 1 (i32.add (local.get 1) (i32.const 1)))
        (br_if 0 (i32.ne (local.tee 0 (i32.add (local.get 0) (i32.const 3))) (i32.const 30))))
      (i32.add (local.get 0) (i32.mul (local.get 1) (i32.const 1000))))
    ;; signed compare against a negative bound, counting down
    (func (export "down") (param i32) (result i32)
      (loop
        (br_if 0 (i32.gt_s (local.tee 0 (i32.add (local.get 0) (i32.const -2))) (i32.const -7))))
      (local.get 0))
    ;; the add-and-branch target is a block end, and the add is kept when
    ;; the branch is not taken
    (func (export "fwd") (param i32) (result i32)
      (block
        (br_if 0 (i32.lt_u (local.tee 0 (i32.add (local.get 0) (i32.const 5))) (i32.const 10)))
        (local.set 0 (i32.mul (local.get 0) (i32.const 2))))
      (local.get 0))
    ;; c[i] += a * b[i] for two elements
    (func (export "axpy") (param f64 i32 i32)
      (f64.store (local.get 2)
        (f64.add (f64.mul (local.get 0) (f64.load (local.get 1))) (f64.load (local.get 2))))
      (f64.store offset=8 (local.get 2)
        (f64.add (f64.mul (local.get 0) (f64.load offset=8 (local.get 1))) (f64.load offset=8 (local.get 2)))))
    (func (export "mad") (param f64 i32 i32) (result f64)
      (f64.add (f64.mul (local.get 0) (f64.load (local.get 1))) (f64.load (local.get 2))))
    (func (export "stf") (param i32 f64) (f64.store (local.get 0) (local.get 1)))
    (func (export "ldf") (param i32) (result f64) (f64.load (local.get 0)))))");
  CHECK(i32(s, m, "count", {val_i32(0)}) == 10030u);
  CHECK(i32(s, m, "down", {val_i32(5)}) == uint32_t(-7));
  CHECK(i32(s, m, "fwd", {val_i32(1)}) == 6u);
  CHECK(i32(s, m, "fwd", {val_i32(7)}) == 24u);
  REQUIRE(call(s, m, "stf", {val_i32(100), F64(2.0)}).ok());
  REQUIRE(call(s, m, "stf", {val_i32(108), F64(-3.0)}).ok());
  REQUIRE(call(s, m, "stf", {val_i32(200), F64(0.5)}).ok());
  REQUIRE(call(s, m, "stf", {val_i32(208), F64(1.0)}).ok());
  REQUIRE(call(s, m, "axpy", {F64(4.0), val_i32(100), val_i32(200)}).ok());
  auto r = call(s, m, "ldf", {val_i32(200)});
  REQUIRE(r.ok());
  CHECK((*r)[0].f64 == 8.5);
  r = call(s, m, "ldf", {val_i32(208)});
  REQUIRE(r.ok());
  CHECK((*r)[0].f64 == -11.0);
  // 0.1 * 3.0 + 1e-17 with two roundings differs from a fused multiply-add
  REQUIRE(call(s, m, "stf", {val_i32(300), F64(3.0)}).ok());
  REQUIRE(call(s, m, "stf", {val_i32(308), F64(-0.30000000000000004)}).ok());
  r = call(s, m, "mad", {F64(0.1), val_i32(300), val_i32(308)});
  REQUIRE(r.ok());
  CHECK((*r)[0].f64 == 0.0);
  // a store whose address is out of bounds traps after both loads succeed,
  // and stores nothing
  CHECK(trap_of(s, m, "axpy", {F64(1.0), val_i32(100), val_i32(65532)}) == "out of bounds memory access");
  CHECK(trap_of(s, m, "axpy", {F64(1.0), val_i32(65532), val_i32(200)}) == "out of bounds memory access");
  r = call(s, m, "ldf", {val_i32(200)});
  REQUIRE(r.ok());
  CHECK((*r)[0].f64 == 8.5);
}

TEST_CASE("exec: shift/rotate-by-immediate fused into xor/or/add/and") {
  Store s;
  Instance* m = load_wat(s, R"((module
    ;; shifted operand second, then first; every shift kind and op
    (func (export "f") (param i32 i32) (result i32)
      (i32.xor
        (i32.add
          (i32.or (local.get 1) (i32.shl (local.get 0) (i32.const 4)))
          (i32.and (i32.shr_s (local.get 0) (i32.const 3)) (local.get 1)))
        (i32.xor
          (i32.rotl (local.get 0) (i32.const 7))
          (i32.add (i32.rotr (local.get 1) (i32.const 35)) (i32.shr_u (local.get 0) (i32.const 1))))))
    ;; sha-256 style sigma: rotl ^ rotl ^ shr of one value, into a local
    (func (export "sigma") (param i32) (result i32) (local i32)
      (local.set 1
        (i32.xor (i32.xor (i32.rotl (local.get 0) (i32.const 25)) (i32.rotl (local.get 0) (i32.const 14)))
                 (i32.shr_u (local.get 0) (i32.const 3))))
      (local.get 1))
    ;; the shift's result is a block result: the xor after the block end
    ;; is a branch target and must not absorb it (both paths checked)
    (func (export "split") (param i32 i32) (result i32)
      (i32.xor (local.get 1)
        (block (result i32)
          (drop (br_if 0 (i32.const 1000) (local.get 1)))
          (i32.shl (local.get 0) (i32.const 8)))))
    ;; the shifted value is overwritten (local.tee) before the fused op reads its source
    (func (export "tee") (param i32) (result i32)
      (i32.add (i32.shl (local.get 0) (i32.const 2)) (local.tee 0 (i32.const 5))))))");
  auto ref = [](uint32_t a, uint32_t b) {
    uint32_t x = (b | (a << 4)) + (uint32_t(int32_t(a) >> 3) & b);
    uint32_t y = std::rotl(a, 7) ^ (std::rotr(b, 3) + (a >> 1));
    return x ^ y;
  };
  for (uint32_t a : {0u, 1u, 0x80000001u, 0xdeadbeefu, 0x7fffffffu})
    for (uint32_t b : {0u, 3u, 0xffffffffu, 0x12345678u})
      CHECK(i32(s, m, "f", {val_i32(a), val_i32(b)}) == ref(a, b));
  uint32_t x = 0x6a09e667u;
  CHECK(i32(s, m, "sigma", {val_i32(x)}) == (std::rotl(x, 25) ^ std::rotl(x, 14) ^ (x >> 3)));
  CHECK(i32(s, m, "split", {val_i32(3), val_i32(0)}) == (3u << 8));
  CHECK(i32(s, m, "split", {val_i32(3), val_i32(1)}) == (1000u ^ 1u));
  CHECK(i32(s, m, "tee", {val_i32(10)}) == 45u);
}

TEST_CASE("exec: move runs and i32.add pairs through local.tee") {
  Store s;
  Instance* m = load_wat(s, R"((module
    ;; rotate four locals n times: runs of moves where later moves read
    ;; earlier destinations
    (func (export "rot") (param i32) (result i32) (local i32 i32 i32 i32 i32)
      (local.set 1 (i32.const 1)) (local.set 2 (i32.const 2))
      (local.set 3 (i32.const 3)) (local.set 4 (i32.const 4))
      (block
        (loop
          (br_if 1 (i32.eqz (local.get 0)))
          (local.set 5 (local.get 1))
          (local.set 1 (local.get 2))
          (local.set 2 (local.get 3))
          (local.set 3 (local.get 4))
          (local.set 4 (local.get 5))
          (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
          (br 0)))
      (i32.add (i32.mul (local.get 1) (i32.const 1000))
        (i32.add (i32.mul (local.get 2) (i32.const 100))
          (i32.add (i32.mul (local.get 3) (i32.const 10)) (local.get 4)))))
    ;; a move run split by a branch target: the second move runs alone
    ;; when the branch is taken
    (func (export "movsplit") (param i32) (result i32) (local i32 i32)
      (local.set 1 (i32.const 7))
      (block
        (local.set 2 (local.get 0))
        (br_if 0 (local.get 0))
        (local.set 1 (local.get 0)))
      (local.set 2 (local.get 1))
      (i32.add (local.get 2) (i32.mul (local.get 1) (i32.const 100))))
    ;; a = x + y (tee'd into a local), then a + z and the local read later
    (func (export "add2") (param i32 i32 i32) (result i32) (local i32)
      (i32.add
        (i32.add (local.tee 3 (i32.add (local.get 0) (local.get 1))) (local.get 2))
        (i32.mul (local.get 3) (i32.const 1000))))
    ;; the second add reads the local the first one wrote
    (func (export "add2dep") (param i32 i32) (result i32) (local i32)
      (local.set 2 (i32.add (local.get 0) (local.get 1)))
      (local.set 0 (i32.add (local.get 2) (local.get 2)))
      (i32.add (local.get 0) (i32.mul (local.get 2) (i32.const 1000))))
    ;; a branch target between the two adds
    (func (export "add2split") (param i32 i32) (result i32) (local i32)
      (block
        (local.set 2 (i32.add (local.get 0) (local.get 1)))
        (br_if 0 (local.get 1))
        (local.set 2 (i32.const 50)))
      (i32.add (local.get 2) (local.get 0)))))");
  CHECK(i32(s, m, "rot", {val_i32(0)}) == 1234u);
  CHECK(i32(s, m, "rot", {val_i32(1)}) == 2341u);
  CHECK(i32(s, m, "rot", {val_i32(3)}) == 4123u);
  CHECK(i32(s, m, "movsplit", {val_i32(0)}) == 0u);
  CHECK(i32(s, m, "movsplit", {val_i32(5)}) == 707u);
  CHECK(i32(s, m, "add2", {val_i32(1), val_i32(2), val_i32(3)}) == 3006u);
  CHECK(i32(s, m, "add2dep", {val_i32(4), val_i32(5)}) == 9018u);
  CHECK(i32(s, m, "add2split", {val_i32(4), val_i32(5)}) == 13u);
  CHECK(i32(s, m, "add2split", {val_i32(4), val_i32(0)}) == 54u);
}

TEST_CASE("exec: copy runs that tile a range copy as one block unless the ranges overlap") {
  Store s;
  Instance* m = load_wat(s, R"((module
    (memory 1)
    (data (i32.const 0) "abcdefgh")
    (func (export "reset")
      (i64.store (i32.const 0) (i64.const 0x6867666564636261)) (i32.store8 (i32.const 8) (i32.const 0)))
    ;; four byte copies, ascending
    (func (export "up") (param i32 i32)
      (i32.store8 (local.get 0) (i32.load8_u (local.get 1)))
      (i32.store8 offset=1 (local.get 0) (i32.load8_u offset=1 (local.get 1)))
      (i32.store8 offset=2 (local.get 0) (i32.load8_u offset=2 (local.get 1)))
      (i32.store8 offset=3 (local.get 0) (i32.load8_u offset=3 (local.get 1))))
    ;; the same bytes, descending (a backward move)
    (func (export "down") (param i32 i32)
      (i32.store8 offset=3 (local.get 0) (i32.load8_u offset=3 (local.get 1)))
      (i32.store8 offset=2 (local.get 0) (i32.load8_u offset=2 (local.get 1)))
      (i32.store8 offset=1 (local.get 0) (i32.load8_u offset=1 (local.get 1)))
      (i32.store8 (local.get 0) (i32.load8_u (local.get 1))))
    ;; four i64 copies: 32 bytes
    (func (export "up64") (param i32 i32)
      (i64.store (local.get 0) (i64.load (local.get 1)))
      (i64.store offset=8 (local.get 0) (i64.load offset=8 (local.get 1)))
      (i64.store offset=16 (local.get 0) (i64.load offset=16 (local.get 1)))
      (i64.store offset=24 (local.get 0) (i64.load offset=24 (local.get 1))))
    (func (export "ld64") (param i32) (result i64) (i64.load (local.get 0)))))");
  auto ld = [&](uint32_t a) { return i64(s, m, "ld64", {val_i32(a)}); };
  // disjoint ranges: a block copy
  REQUIRE(call(s, m, "up", {val_i32(100), val_i32(0)}).ok());
  CHECK(uint32_t(ld(100)) == 0x64636261u);
  // dst = src + 1, ascending: each element reads the byte the previous one wrote
  REQUIRE(call(s, m, "up", {val_i32(1), val_i32(0)}).ok());
  CHECK(ld(0) == 0x6867666161616161ull);
  // dst = src + 1, descending: a backward move
  REQUIRE(call(s, m, "reset").ok());
  REQUIRE(call(s, m, "down", {val_i32(1), val_i32(0)}).ok());
  CHECK(ld(0) == 0x6867666463626161ull);
  // dst = src - 1, ascending
  REQUIRE(call(s, m, "reset").ok());
  REQUIRE(call(s, m, "up", {val_i32(0), val_i32(1)}).ok());
  CHECK(ld(0) == 0x6867666565646362ull);
  // 32 bytes, disjoint and overlapping by 8
  REQUIRE(call(s, m, "reset").ok());
  REQUIRE(call(s, m, "up64", {val_i32(200), val_i32(0)}).ok());
  CHECK(ld(200) == 0x6867666564636261ull);
  CHECK(ld(208) == 0u);
  REQUIRE(call(s, m, "up64", {val_i32(8), val_i32(0)}).ok());
  CHECK(ld(8) == 0x6867666564636261ull);
  CHECK(ld(16) == 0x6867666564636261ull);
  CHECK(ld(32) == 0x6867666564636261ull);
  // out of bounds part way: the elements before the failing one are done
  REQUIRE(call(s, m, "reset").ok());
  CHECK(trap_of(s, m, "up", {val_i32(65534), val_i32(0)}) == "out of bounds memory access");
  CHECK((ld(65528) >> 48) == 0x6261u);
  CHECK(trap_of(s, m, "down", {val_i32(300), val_i32(65534)}) == "out of bounds memory access");
  CHECK(ld(300) == 0u);
  // a base near 2^32 wraps in the u32 address sum (no block copy)
  CHECK(trap_of(s, m, "up", {val_i32(0xffffffffu), val_i32(0)}) == "out of bounds memory access");
}

TEST_CASE("exec: branch values written straight into their destination, and moves before a loop back-edge") {
  Store s;
  Instance* m = load_wat(s, R"((module
    ;; the result of the last instruction returned: written to slot 0 (a
    ;; param it reads) only after its operands are read
    (func (export "ret") (param i32 i32) (result i32)
      (return (i32.sub (local.get 1) (local.get 0))))
    (func (export "fallret") (param i32 i32) (result i32)
      (i32.sub (local.get 1) (local.get 0)))
    ;; br with a value from the instruction just before, from deeper in the stack
    (func (export "br") (param i32 i32) (result i32)
      (i32.add (local.get 1)
        (block (result i32)
          (i32.add (local.get 0) (local.get 1))
          (br 0 (i32.mul (local.get 0) (i32.const 7))))))
    ;; br_if with a value: the fall-through path keeps the value where it was
    (func (export "brif") (param i32 i32) (result i32)
      (block (result i32)
        (local.get 0)
        (br_if 0 (i32.mul (local.get 0) (local.get 1)) (local.get 1))
        (i32.add)))
    ;; moves then a back-edge (swap through a third local): one handler with
    ;; the interrupt check
    (func (export "swapspin") (param i32 i32) (result i32) (local i32)
      (loop $l
        (local.set 2 (local.get 0))
        (local.set 0 (local.get 1))
        (local.set 1 (local.get 2))
        (br $l))
      (unreachable))))");
  CHECK(i32(s, m, "ret", {val_i32(5), val_i32(3)}) == uint32_t(-2));
  CHECK(i32(s, m, "fallret", {val_i32(5), val_i32(3)}) == uint32_t(-2));
  CHECK(i32(s, m, "br", {val_i32(5), val_i32(3)}) == 38u);
  CHECK(i32(s, m, "brif", {val_i32(5), val_i32(3)}) == 15u);
  CHECK(i32(s, m, "brif", {val_i32(5), val_i32(0)}) == 5u);
  check_spin_interrupted(s, m, "swapspin", {val_i32(1), val_i32(2)});
}

TEST_CASE("exec: declared locals read as zero on entry over a dirtied stack") {
  Store s;
  Instance* m = load_wat(s, R"((module
    ;; leaves all-ones in its locals and temporaries
    (func $dirty (param i64) (result i64) (local i64 i64 i64 i64 i64 i64)
      (local.set 1 (local.get 0)) (local.set 2 (local.get 0)) (local.set 3 (local.get 0))
      (local.set 4 (local.get 0)) (local.set 5 (local.get 0)) (local.set 6 (local.get 0))
      (i64.add (i64.add (i64.add (local.get 1) (local.get 2)) (i64.add (local.get 3) (local.get 4)))
               (i64.add (local.get 5) (local.get 6))))
    ;; one local (fixed-size zeroing), six locals (general zeroing)
    (func $one (result i64) (local i64) (local.get 0))
    (func $six (param i32) (result i64) (local i64 i64 i64 i64 i64 i64)
      (i64.or (i64.or (i64.or (local.get 1) (local.get 2)) (i64.or (local.get 3) (local.get 4)))
              (i64.or (local.get 5) (local.get 6))))
    ;; local.set of zero as the first instruction is left out for a local,
    ;; but not for a param
    (func $setzero (param i32) (result i32) (local i32 f64)
      (local.set 1 (i32.const 0))
      (local.set 2 (f64.const 0))
      (local.set 0 (i32.const 0))
      (i32.add (i32.add (local.get 0) (local.get 1)) (i32.trunc_f64_s (local.get 2))))
    (func (export "one") (result i64) (drop (call $dirty (i64.const -1))) (call $one))
    (func (export "six") (result i64) (drop (call $dirty (i64.const -1))) (call $six (i32.const 1)))
    (func (export "setzero") (result i32)
      (drop (call $dirty (i64.const -1))) (call $setzero (i32.const 9)))))");
  CHECK(i64(s, m, "one") == 0u);
  CHECK(i64(s, m, "six") == 0u);
  CHECK(i32(s, m, "setzero") == 0u);
}

TEST_CASE("exec: i32 op with a loaded operand, every op and load width") {
  struct Ld {
    const char* name;
    uint32_t size;
    bool sign;
  };
  struct Bin {
    const char* name;
    uint32_t (*f)(uint32_t, uint32_t);
  };
  static const Ld loads[] = {{"i32.load", 4, false}, {"i32.load8_s", 1, true}, {"i32.load8_u", 1, false},
                             {"i32.load16_s", 2, true}, {"i32.load16_u", 2, false}};
  static const Bin ops[] = {{"i32.add", [](uint32_t a, uint32_t b) { return a + b; }},
                            {"i32.sub", [](uint32_t a, uint32_t b) { return a - b; }},
                            {"i32.mul", [](uint32_t a, uint32_t b) { return a * b; }},
                            {"i32.and", [](uint32_t a, uint32_t b) { return a & b; }},
                            {"i32.or", [](uint32_t a, uint32_t b) { return a | b; }},
                            {"i32.xor", [](uint32_t a, uint32_t b) { return a ^ b; }}};
  // f<i>_<j>: a <op j> load_i(u32(p + 1) + 2); r<i>_<j>: the load as the
  // first operand (the op's operands swapped)
  std::string wat = R"((module (memory 1)
    (data (i32.const 0) "\80\ff\7f\01\fe\ff\ff\ff\81\82\83\84")
    (data (i32.const 65528) "\01\82\03\84\05\86\07\f8"))";
  for (size_t i = 0; i < std::size(loads); ++i)
    for (size_t j = 0; j < std::size(ops); ++j) {
      std::string ld = std::string("(") + loads[i].name + " offset=2 (i32.add (local.get 1) (i32.const 1)))";
      std::string id = std::to_string(i) + "_" + std::to_string(j);
      wat += "(func (export \"f" + id + "\") (param i32 i32) (result i32) (" + ops[j].name +
             " (local.get 0) " + ld + "))\n";
      wat += "(func (export \"r" + id + "\") (param i32 i32) (result i32) (" + ops[j].name + " " + ld +
             " (local.get 0)))\n";
    }
  wat += ")";
  Store s;
  Instance* m = load_wat(s, wat);
  std::vector<uint8_t> mem(65536, 0);
  const uint8_t lo[] = {0x80, 0xff, 0x7f, 0x01, 0xfe, 0xff, 0xff, 0xff, 0x81, 0x82, 0x83, 0x84};
  const uint8_t hi[] = {0x01, 0x82, 0x03, 0x84, 0x05, 0x86, 0x07, 0xf8};
  std::memcpy(mem.data(), lo, sizeof lo);
  std::memcpy(mem.data() + 65528, hi, sizeof hi);
  for (size_t i = 0; i < std::size(loads); ++i) {
    const Ld& L = loads[i];
    // effective addresses 2 (p + 1 wraps to 0), 3, 9, the last in bounds,
    // one past it, and 2^32 (p + 1 = 2^32 - 2, plus offset 2)
    const uint32_t ps[] = {0xffffffffu, 0u, 6u, 65536u - L.size - 3, 65536u - L.size - 2, 0xfffffffdu};
    for (uint32_t p : ps) {
      uint64_t ea = uint64_t(uint32_t(p + 1)) + 2;
      bool oob = ea + L.size > 65536;
      uint32_t v = 0;
      if (!oob) {
        std::memcpy(&v, mem.data() + ea, L.size);
        if (L.sign && L.size == 1) v = uint32_t(int32_t(int8_t(v)));
        if (L.sign && L.size == 2) v = uint32_t(int32_t(int16_t(v)));
      }
      for (size_t j = 0; j < std::size(ops); ++j) {
        std::string id = std::to_string(i) + "_" + std::to_string(j);
        for (uint32_t a : {3u, 0x7fffffffu, 0x80000001u, 0xdeadbeefu}) {
          CAPTURE(id);
          CAPTURE(p);
          CAPTURE(a);
          if (oob) {
            CHECK(trap_of(s, m, ("f" + id).c_str(), {val_i32(a), val_i32(p)}) == "out of bounds memory access");
            CHECK(trap_of(s, m, ("r" + id).c_str(), {val_i32(a), val_i32(p)}) == "out of bounds memory access");
          } else {
            CHECK(i32(s, m, ("f" + id).c_str(), {val_i32(a), val_i32(p)}) == ops[j].f(a, v));
            CHECK(i32(s, m, ("r" + id).c_str(), {val_i32(a), val_i32(p)}) == ops[j].f(v, a));
          }
        }
      }
    }
  }
}

TEST_CASE("exec: stores of constants, every store op, in and out of bounds") {
  struct St {
    const char* op;
    const char* value;
    uint32_t size;
    uint64_t expect;  // the stored bytes, little-endian
  };
  static const St stores[] = {
      {"i32.store8", "(i32.const -2)", 1, 0xfe},
      {"i32.store16", "(i32.const 0x12345)", 2, 0x2345},
      {"i32.store", "(i32.const 0xabcdef01)", 4, 0xabcdef01},
      {"i64.store8", "(i64.const 0x1ff)", 1, 0xff},
      {"i64.store16", "(i64.const -3)", 2, 0xfffd},
      {"i64.store32", "(i64.const 0x123456789)", 4, 0x23456789},
      {"i64.store", "(i64.const -5)", 8, 0xfffffffffffffffbull},
      {"i64.store", "(i64.const 0x7fffffff)", 8, 0x7fffffffull},
      {"i64.store", "(i64.const 0x80000000)", 8, 0x80000000ull},
      {"i64.store", "(i64.const 0x123456789abcdef0)", 8, 0x123456789abcdef0ull},
      {"f32.store", "(f32.const -1.5)", 4, 0xbfc00000u},
      {"f64.store", "(f64.const 0)", 8, 0},
      {"f64.store", "(f64.const -0)", 8, 0x8000000000000000ull},
      {"f64.store", "(f64.const 1.5)", 8, 0x3ff8000000000000ull},
  };
  // s<i>: store i at u32(p + 1) + 2
  std::string wat = R"((module (memory 1)
    (func (export "reset") (memory.fill (i32.const 0) (i32.const 0xaa) (i32.const 65536))))";
  for (size_t i = 0; i < std::size(stores); ++i)
    wat += "(func (export \"s" + std::to_string(i) + "\") (param i32) (" + stores[i].op +
           " offset=2 (i32.add (local.get 0) (i32.const 1)) " + stores[i].value + "))\n";
  wat += ")";
  Store s;
  Instance* m = load_wat(s, wat);
  const uint8_t* mem = m->memories[0]->data;
  auto bytes = [&](uint64_t at, uint32_t n) {
    uint64_t v = 0;
    std::memcpy(&v, mem + at, n);
    return v;
  };
  for (size_t i = 0; i < std::size(stores); ++i) {
    const St& t = stores[i];
    std::string name = "s" + std::to_string(i);
    CAPTURE(name);
    uint64_t fill = t.size == 8 ? 0 : 0xaaaaaaaaaaaaaaaaull << (8 * t.size);
    // effective addresses 16, 2 (p + 1 wraps to 0) and the last in bounds
    for (uint32_t p : {13u, 0xffffffffu, 65536u - t.size - 3}) {
      REQUIRE(call(s, m, "reset").ok());
      REQUIRE(call(s, m, name.c_str(), {val_i32(p)}).ok());
      uint64_t ea = uint64_t(uint32_t(p + 1)) + 2;
      CHECK(bytes(ea, t.size) == t.expect);
      if (ea + 8 <= 65536) CHECK(bytes(ea, 8) == (t.expect | fill));
      CHECK(mem[ea - 1] == 0xaa);
    }
    // one past the last, and past 2^32: a trap, memory untouched
    REQUIRE(call(s, m, "reset").ok());
    for (uint32_t p : {65536u - t.size - 2, 0xfffffffdu})
      CHECK(trap_of(s, m, name.c_str(), {val_i32(p)}) == "out of bounds memory access");
    CHECK(bytes(65528, 8) == 0xaaaaaaaaaaaaaaaaull);
  }
}

TEST_CASE("exec: i32.add then compare and branch, every condition, bound in a slot or immediate") {
  struct C {
    const char* name;
    bool (*f)(uint32_t, uint32_t);
  };
  static const C conds[] = {
      {"eq", [](uint32_t a, uint32_t b) { return a == b; }},
      {"ne", [](uint32_t a, uint32_t b) { return a != b; }},
      {"lt_s", [](uint32_t a, uint32_t b) { return int32_t(a) < int32_t(b); }},
      {"lt_u", [](uint32_t a, uint32_t b) { return a < b; }},
      {"gt_s", [](uint32_t a, uint32_t b) { return int32_t(a) > int32_t(b); }},
      {"gt_u", [](uint32_t a, uint32_t b) { return a > b; }},
      {"le_s", [](uint32_t a, uint32_t b) { return int32_t(a) <= int32_t(b); }},
      {"le_u", [](uint32_t a, uint32_t b) { return a <= b; }},
      {"ge_s", [](uint32_t a, uint32_t b) { return int32_t(a) >= int32_t(b); }},
      {"ge_u", [](uint32_t a, uint32_t b) { return a >= b; }}};
  // params (i, n, step): i += addend (const 7 or step); compare i with the
  // bound (n or const 50), i first or the bound first. f*: br_if forward
  // out of a block (returns i, or i + 1000 when not taken); b*: br_if back
  // to a loop (at most 4 rounds: returns i + 10000 * rounds, or i + 1000
  // when stopped).
  const char* addends[] = {"(i32.const 7)", "(local.get 2)"};
  const char* bounds[] = {"(local.get 1)", "(i32.const 50)"};
  std::string wat = "(module\n";
  auto id = [](size_t c, int ad, int bd, int order) {
    return std::to_string(c) + "_" + std::to_string(ad) + std::to_string(bd) + std::to_string(order);
  };
  for (size_t c = 0; c < std::size(conds); ++c)
    for (int ad = 0; ad < 2; ++ad)
      for (int bd = 0; bd < 2; ++bd)
        for (int order = 0; order < 2; ++order) {
          std::string add = std::string("(local.set 0 (i32.add (local.get 0) ") + addends[ad] + "))";
          std::string cmp = std::string("(i32.") + conds[c].name + " " +
                            (order ? std::string(bounds[bd]) + " (local.get 0)" : "(local.get 0) " + std::string(bounds[bd])) + ")";
          wat += "(func (export \"f" + id(c, ad, bd, order) + "\") (param i32 i32 i32) (result i32)\n"
                 "  (block " + add + " (br_if 0 " + cmp + ") (return (i32.add (local.get 0) (i32.const 1000))))\n"
                 "  (local.get 0))\n";
          wat += "(func (export \"b" + id(c, ad, bd, order) + "\") (param i32 i32 i32) (result i32) (local i32)\n"
                 "  (loop $l\n"
                 "    (local.set 3 (i32.add (local.get 3) (i32.const 1)))\n"
                 "    (if (i32.ge_u (local.get 3) (i32.const 5)) (then (return (i32.add (local.get 0) (i32.const 1000)))))\n"
                 "    " + add + " (br_if $l " + cmp + "))\n"
                 "  (i32.add (local.get 0) (i32.mul (local.get 3) (i32.const 10000))))\n";
        }
  wat += ")";
  Store s;
  Instance* m = load_wat(s, wat);
  for (size_t c = 0; c < std::size(conds); ++c)
    for (int ad = 0; ad < 2; ++ad)
      for (int bd = 0; bd < 2; ++bd)
        for (int order = 0; order < 2; ++order)
          for (uint32_t i : {0u, 40u, 43u, 0x7ffffffau, 0xfffffffcu, 0x80000000u})
            for (uint32_t n : {50u, 47u, 0xffffff00u})
              for (uint32_t step : {7u, 0xfffffff9u}) {
                uint32_t addend = ad ? step : 7, bound = bd ? 50 : n;
                auto taken = [&](uint32_t v) { return order ? conds[c].f(bound, v) : conds[c].f(v, bound); };
                uint32_t v = i + addend;
                uint32_t fwd = taken(v) ? v : v + 1000;
                uint32_t back, x = i, k = 0;
                for (;;) {
                  if (++k >= 5) {
                    back = x + 1000;
                    break;
                  }
                  x += addend;
                  if (!taken(x)) {
                    back = x + k * 10000;
                    break;
                  }
                }
                std::string name = id(c, ad, bd, order);
                CAPTURE(name);
                CAPTURE(i);
                CAPTURE(n);
                CAPTURE(step);
                std::vector<Value> args{val_i32(i), val_i32(n), val_i32(step)};
                CHECK(i32(s, m, ("f" + name).c_str(), args) == fwd);
                CHECK(i32(s, m, ("b" + name).c_str(), args) == back);
              }
}

TEST_CASE("exec: bit-field extract (shr_u by a constant, then and with a constant)") {
  Store s;
  Instance* m = load_wat(s, R"((module
    (func (export "f") (param i32) (result i32)
      (i32.and (i32.shr_u (local.get 0) (i32.const 7)) (i32.const 0x3f)))
    ;; the mask on the left; a shift count of 35 is 3
    (func (export "g") (param i32) (result i32)
      (i32.and (i32.const 0x80000fff) (i32.shr_u (local.get 0) (i32.const 35))))
    ;; into a local, whose old value the shift reads
    (func (export "h") (param i32) (result i32)
      (local.set 0 (i32.and (i32.shr_u (local.get 0) (i32.const 24)) (i32.const 0xff)))
      (local.get 0))
    ;; a branch target between shift and and: not one handler, same result
    (func (export "split") (param i32 i32) (result i32)
      (i32.and
        (block (result i32)
          (drop (br_if 0 (i32.const 0xf0f0) (local.get 1)))
          (i32.shr_u (local.get 0) (i32.const 4)))
        (i32.const 0xff)))))");
  for (uint32_t x : {0u, 1u, 0x80000000u, 0xdeadbeefu, 0xffffffffu, 0x12345678u}) {
    CAPTURE(x);
    CHECK(i32(s, m, "f", {val_i32(x)}) == ((x >> 7) & 0x3fu));
    CHECK(i32(s, m, "g", {val_i32(x)}) == ((x >> 3) & 0x80000fffu));
    CHECK(i32(s, m, "h", {val_i32(x)}) == (x >> 24));
    CHECK(i32(s, m, "split", {val_i32(x), val_i32(0)}) == ((x >> 4) & 0xffu));
    CHECK(i32(s, m, "split", {val_i32(x), val_i32(1)}) == 0xf0u);
  }
}

TEST_CASE("exec: back-to-back i32 add-immediates, and a compare-branch on the second") {
  // two induction variables: the loop test on the second add (the pair
  // splits: add, then add + compare + branch) or on the first
  auto loop = [](const char* name, const char* add1, const char* add2) {
    return std::string("(func (export \"") + name + "\") (param i32 i32) (result i32) (local i32)\n" +
           "  (loop $l " + add1 + " " + add2 + " (br_if $l (i32.lt_u (local.get 0) (local.get 1))))\n" +
           "  (i32.add (local.get 0) (i32.mul (local.get 2) (i32.const 1000))))\n";
  };
  const char* count = "(local.set 0 (i32.add (local.get 0) (i32.const 1)))";
  const char* other = "(local.set 2 (i32.add (local.get 2) (i32.const 3)))";
  Store s;
  Instance* m = load_wat(s, "(module " + loop("second", other, count) + loop("first", count, other) + R"(
    ;; the second add reads the first's result; both wrap
    (func (export "dep") (param i32) (result i32) (local i32)
      (local.set 0 (i32.add (local.get 0) (i32.const 5)))
      (local.set 1 (i32.add (local.get 0) (i32.const 0x7ffffffe)))
      (i32.xor (local.get 0) (i32.mul (local.get 1) (i32.const 3))))
    ;; a branch target between two adds: they stay apart
    (func (export "split") (param i32 i32) (result i32)
      (block
        (local.set 0 (i32.add (local.get 0) (i32.const 2)))
        (br_if 0 (local.get 1))
        (local.set 0 (i32.add (local.get 0) (i32.const 40))))
      (local.set 0 (i32.add (local.get 0) (i32.const 100)))
      (local.get 0))))");
  for (uint32_t x : {0u, 7u, 0x7ffffffbu, 0xfffffffeu}) {
    CAPTURE(x);
    uint32_t a = x + 5, b = a + 0x7ffffffeu;
    CHECK(i32(s, m, "dep", {val_i32(x)}) == (a ^ (b * 3)));
  }
  for (uint32_t n : {0u, 1u, 5u, 100u}) {
    CAPTURE(n);
    uint32_t rounds = n == 0 ? 1 : n;  // runs once before the first test
    CHECK(i32(s, m, "second", {val_i32(0), val_i32(n)}) == rounds + 3000 * rounds);
    CHECK(i32(s, m, "first", {val_i32(0), val_i32(n)}) == rounds + 3000 * rounds);
  }
  CHECK(i32(s, m, "split", {val_i32(1), val_i32(0)}) == 143u);
  CHECK(i32(s, m, "split", {val_i32(1), val_i32(1)}) == 103u);
}
