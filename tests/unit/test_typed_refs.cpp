// Unit tests for typed function references: call_ref and return_call_ref
// (to wasm and host functions, null traps), ref.as_non_null, br_on_null,
// br_on_non_null, and the validator's rules for non-null locals and
// reference subtyping.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "wat_module.h"

using namespace wippy;
using namespace wippy::testing;

namespace {

std::string trap_message(Store& s, Instance* m, const char* name, std::vector<Value> args = {}) {
  auto r = call_export(s, m, name, std::move(args));
  REQUIRE(!r.ok());
  CHECK(r.error().kind == ErrorKind::Trap);
  return r.error().message;
}

}  // namespace

TEST_CASE("typed refs: call_ref, return_call_ref and the null checks") {
  Store s;
  FuncInst* twice = s.create_host_func(FuncType{{ValType::I32}, {ValType::I32}},
                                       [](HostContext&, std::span<const Value> a, std::span<Value> r) -> Result<void> {
                                         r[0] = val_i32(a[0].i32 * 2);
                                         return {};
                                       });
  auto inst = instantiate(s, compile_wat_module(R"((module
    (type $ii (func (param i32) (result i32)))
    (import "env" "twice" (func $twice (type $ii)))
    (elem declare func $inc $twice $count)
    (func $inc (type $ii) (i32.add (local.get 0) (i32.const 1)))
    (func $count (param i32 (ref $ii)) (result i32)
      (if (result i32) (i32.eqz (local.get 0))
        (then (i32.const 5))
        (else (return_call_ref $ii_count (i32.sub (local.get 0) (i32.const 1)) (local.get 1)
                (ref.func $count)))))
    (type $ii_count (func (param i32 (ref $ii)) (result i32)))
    (func (export "via") (param i32 i32) (result i32)
      (local $f (ref null $ii))
      (local.set $f (select (result (ref null $ii)) (ref.func $inc) (ref.func $twice) (local.get 1)))
      (call_ref $ii (local.get 0) (local.get $f)))
    (func (export "tail_host") (param i32) (result i32)
      (return_call_ref $ii (local.get 0) (ref.func $twice)))
    (func (export "deep") (param i32) (result i32)
      (return_call_ref $ii_count (local.get 0) (ref.func $inc) (ref.func $count)))
    (func (export "null_call") (result i32)
      (call_ref $ii (i32.const 1) (ref.null $ii)))
    (func (export "null_tail") (result i32)
      (return_call_ref $ii (i32.const 1) (ref.null $ii)))
    (func (export "as_non_null") (param i32) (result i32)
      (call_ref $ii (i32.const 3)
        (ref.as_non_null (select (result (ref null $ii)) (ref.func $inc) (ref.null $ii) (local.get 0)))))
    (func (export "on_null") (param i32) (result i32)
      (block $null
        (return (call_ref $ii (i32.const 10)
          (br_on_null $null (select (result (ref null $ii)) (ref.func $inc) (ref.null $ii) (local.get 0))))))
      (i32.const -1))
    (func (export "on_non_null") (param i32) (result i32)
      (call_ref $ii (i32.const 20)
        (block $some (result (ref $ii))
          (br_on_non_null $some (select (result (ref null $ii)) (ref.func $inc) (ref.null $ii) (local.get 0)))
          (ref.func $twice)))))
  )"),
                          std::vector<Extern>{Extern{ExternKind::Func, twice}});
  REQUIRE_MESSAGE(inst.ok(), (inst.ok() ? "" : inst.error().message));
  Instance* m = *inst;
  CHECK(call_i32(s, m, "via", {val_i32(7), val_i32(1)}) == 8u);
  CHECK(call_i32(s, m, "via", {val_i32(7), val_i32(0)}) == 14u);
  CHECK(call_i32(s, m, "tail_host", {val_i32(21)}) == 42u);
  CHECK(call_i32(s, m, "deep", {val_i32(1'000'000)}) == 5u);
  CHECK(trap_message(s, m, "null_call") == "null function reference");
  CHECK(trap_message(s, m, "null_tail") == "null function reference");
  CHECK(call_i32(s, m, "as_non_null", {val_i32(1)}) == 4u);
  CHECK(trap_message(s, m, "as_non_null", {val_i32(0)}) == "null reference");
  CHECK(call_i32(s, m, "on_null", {val_i32(1)}) == 11u);
  CHECK(call_i32(s, m, "on_null", {val_i32(0)}) == uint32_t(-1));
  CHECK(call_i32(s, m, "on_non_null", {val_i32(1)}) == 21u);
  CHECK(call_i32(s, m, "on_non_null", {val_i32(0)}) == 40u);
}

TEST_CASE("typed refs: the validator's rules") {
  // a non-null local must be set before it is read, and a set inside a
  // block does not outlive the block
  CHECK(invalid_message(R"((module (type $t (func))
    (func (local (ref $t)) (drop (local.get 0)))))")
            .find("uninitialized local") == 0);
  CHECK(invalid_message(R"((module (type $t (func)) (elem declare func $f) (func $f)
    (func (local (ref $t)) (block (local.set 0 (ref.func $f))) (drop (local.get 0)))))")
            .find("uninitialized local") == 0);
  // a nullable reference is no non-null one; a function's type is its own
  CHECK(invalid_message(R"((module (type $t (func))
    (func (param (ref null $t)) (result (ref $t)) (local.get 0))))")
            .find("type mismatch") == 0);
  CHECK(invalid_message(R"((module (type $t (func)) (type $u (func (param i32)))
    (elem declare func $f) (func $f)
    (func (result (ref $u)) (ref.func $f))))")
            .find("type mismatch") == 0);
  CHECK(invalid_message(R"((module (type $t (func (result i32)))
    (func (param funcref) (result i32) (call_ref $t (local.get 0)))))")
            .find("type mismatch") == 0);
  CHECK(invalid_message("(module (func (result i32) (br_on_non_null 0 (ref.null func)) (i32.const 0)))")
            .find("type mismatch") == 0);
  CHECK(invalid_message("(module (func (param (ref null 7))))").find("unknown type 7") == 0);
}

TEST_CASE("typed refs: a reference passed between modules whose type indices differ traps at call_ref") {
  // A's type 0 takes one i32; B's type 0 takes three i64. Function imports
  // are matched by structure, so B's `(param (ref 0))` matches A's export:
  // B then hands A a function of its own type 0, which A calls as its type 0.
  Store s;
  Instance* a = instantiate_ok(s, compile_wat_module(R"((module
    (type $t (func (param i32) (result i32)))
    (func (export "apply") (param (ref $t)) (result i32)
      (call_ref $t (i32.const 7) (local.get 0)))
    (func (export "apply_tail") (param (ref $t)) (result i32)
      (return_call_ref $t (i32.const 7) (local.get 0)))))"));
  auto b_mod = compile_wat_module(R"((module
    (type $u (func (param i64 i64 i64) (result i64)))
    (import "a" "apply" (func $apply (param (ref $u)) (result i32)))
    (import "a" "apply_tail" (func $apply_tail (param (ref $u)) (result i32)))
    (func $three (type $u) (i64.add (i64.add (local.get 0) (local.get 1)) (local.get 2)))
    (elem declare func $three)
    (func (export "go") (result i32) (call $apply (ref.func $three)))
    (func (export "go_tail") (result i32) (call $apply_tail (ref.func $three)))))");
  std::vector<Extern> imports = {a->exports.at("apply"), a->exports.at("apply_tail")};
  auto b = instantiate(s, b_mod, imports);
  if (!b.ok()) {  // refusing the link is as safe as trapping
    CHECK(b.error().kind == ErrorKind::Unlinkable);
    return;
  }
  CHECK(trap_message(s, *b, "go").find("type mismatch") != std::string::npos);
  CHECK(trap_message(s, *b, "go_tail").find("type mismatch") != std::string::npos);
}

TEST_CASE("typed refs: a constant null operand of ref.as_non_null and br_on_non_null") {
  // The operand is a constant the compiler moves to a slot first: the move
  // must come before the handler's words, not inside them.
  Store s;
  Instance* inst = instantiate_ok(s, compile_wat_module(R"((module
    (func (export "as") (drop (ref.as_non_null (ref.null func))))
    (func (export "br") (result i32)
      (block (result funcref) (br_on_non_null 0 (ref.null func)) (return (i32.const 7)))
      (drop) (i32.const 8))))"));
  CHECK(trap_message(s, inst, "as") == "null reference");
  CHECK(call_i32(s, inst, "br") == 7);
}
