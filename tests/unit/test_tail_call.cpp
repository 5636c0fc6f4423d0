// Unit tests for tail calls (return_call, return_call_indirect): a tail call
// reuses the caller's frame, so ten million mutual tail calls run in the
// depth of one call; host functions reached by a tail call return to the
// caller's caller; the indirect form traps on bad elements like call_indirect.
#include <doctest/doctest.h>

#include <cstddef>
#include <string>
#include <vector>

#include "interp/exec/code.h"
#include "wat_module.h"

using namespace wippy;
using namespace wippy::testing;

namespace {

// Stack depths seen by a host function: frames and value slots in use.
struct Depth {
  ptrdiff_t frames = -1;
  ptrdiff_t values = -1;
};

FuncInst* depth_probe(Store& s, Depth& out) {
  return s.create_host_func(FuncType{{ValType::I32}, {ValType::I32}},
                            [&out](HostContext& ctx, std::span<const Value> args,
                                   std::span<Value> results) -> Result<void> {
                              Store::ExecState* st = ctx.store.exec_state();
                              out.frames = st->fsp - st->frames;
                              out.values = st->top - st->stack;
                              results[0] = val_i32(args[0].i32 + 1);
                              return {};
                            });
}

Instance* load_with(Store& s, std::string_view wat, std::vector<Extern> imports) {
  auto inst = instantiate(s, compile_wat_module(wat), imports);
  REQUIRE_MESSAGE(inst.ok(), (inst.ok() ? "" : inst.error().message));
  return *inst;
}

// even/odd by mutual tail recursion; the chain ends in a tail call to the
// host probe. `$even_call` is the same with plain calls.
constexpr const char* kMutual = R"((module
  (import "env" "probe" (func $probe (param i32) (result i32)))
  (func $even (export "even") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (return_call $probe (i32.const 100)))
      (else (return_call $odd (i32.sub (local.get 0) (i32.const 1))))))
  (func $odd (export "odd") (param i32) (result i32)
    (local i64 i64 i64 i64 i64 i64)
    (if (result i32) (i32.eqz (local.get 0))
      (then (return_call $probe (i32.const 200)))
      (else (return_call $even (i32.sub (local.get 0) (i32.const 1))))))
  (func $even_call (export "even_call") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 1))
      (else (call $odd_call (i32.sub (local.get 0) (i32.const 1))))))
  (func $odd_call (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (call $even_call (i32.sub (local.get 0) (i32.const 1))))))
  (func (export "wrap") (param i32) (result i32)
    (i32.add (call $even (local.get 0)) (i32.const 1000))))
)";

}  // namespace

TEST_CASE("tail call: ten million mutual tail calls run in constant stack") {
  Store s;
  Depth d;
  Instance* m = load_with(s, kMutual, {Extern{ExternKind::Func, depth_probe(s, d)}});
  CHECK(call_i32(s, m, "even", {val_i32(0)}) == 101u);
  Depth shallow = d;
  REQUIRE(shallow.frames >= 0);
  CHECK(call_i32(s, m, "even", {val_i32(10'000'000)}) == 101u);
  CHECK(d.frames == shallow.frames);
  CHECK(d.values == shallow.values);
  // ending in $odd (a bigger frame): as deep as the one-step chain that does
  CHECK(call_i32(s, m, "even", {val_i32(1)}) == 201u);
  Depth shallow_odd = d;
  CHECK(shallow_odd.values > shallow.values);
  CHECK(call_i32(s, m, "even", {val_i32(10'000'001)}) == 201u);
  CHECK(d.frames == shallow_odd.frames);
  CHECK(d.values == shallow_odd.values);
  // Under a real call the chain still ends with the probe's result + 1000.
  CHECK(call_i32(s, m, "wrap", {val_i32(7)}) == 1201u);
  CHECK(d.frames == shallow.frames + 1);
  // The same recursion with plain calls does exhaust the stack.
  auto r = call_export(s, m, "even_call", {val_i32(10'000'000)});
  REQUIRE(!r.ok());
  CHECK(r.error().kind == ErrorKind::Exhaustion);
}

TEST_CASE("tail call: frames that grow and shrink, across instances") {
  Store s;
  Instance* a = instantiate_ok(s, compile_wat_module(R"((module
    (func (export "sum4") (param i32 i32 i32 i32) (result i32)
      (local i32 i32 i32 i32 i32 i32 i32 i32)
      (local.set 4 (i32.add (local.get 0) (local.get 1)))
      (i32.add (local.get 4) (i32.add (local.get 2) (local.get 3))))))"));
  Instance* b = load_with(s, R"((module
    (import "a" "sum4" (func $sum4 (param i32 i32 i32 i32) (result i32)))
    (memory 1)
    (func $one (param i32) (result i32)
      (return_call $sum4 (local.get 0) (i32.const 10) (i32.const 100) (i32.load (i32.const 0))))
    (func (export "go") (param i32) (result i32)
      (i32.store (i32.const 0) (i32.const 1000))
      (return_call $one (local.get 0)))
    (func (export "nested") (param i32) (result i32)
      (i32.mul (call $one (local.get 0)) (i32.const 2))))
  )",
                         {Extern{ExternKind::Func, a->export_func("sum4")}});
  CHECK(call_i32(s, b, "go", {val_i32(1)}) == 1111u);
  CHECK(call_i32(s, b, "nested", {val_i32(2)}) == 2224u);
}

TEST_CASE("tail call: return_call_indirect to wasm and host, and its traps") {
  Store s;
  Depth d;
  Instance* m = load_with(s, R"((module
    (import "env" "probe" (func $probe (param i32) (result i32)))
    (type $ii (func (param i32) (result i32)))
    (table 4 funcref)
    (elem (i32.const 0) func $probe $count $wrong)
    (func $count (param i32) (result i32)
      (if (result i32) (i32.eqz (local.get 0))
        (then (return_call_indirect (type $ii) (i32.const 7) (i32.const 0)))
        (else (return_call_indirect (type $ii) (i32.sub (local.get 0) (i32.const 1)) (i32.const 1)))))
    (func $wrong (param i64) (result i32) (i32.const 0))
    (func (export "count") (param i32) (result i32) (return_call $count (local.get 0)))
    (func (export "at") (param i32) (result i32)
      (return_call_indirect (type $ii) (i32.const 1) (local.get 0))))
  )",
                          {Extern{ExternKind::Func, depth_probe(s, d)}});
  CHECK(call_i32(s, m, "count", {val_i32(0)}) == 8u);
  Depth shallow = d;
  CHECK(call_i32(s, m, "count", {val_i32(1'000'000)}) == 8u);
  CHECK(d.frames == shallow.frames);
  CHECK(d.values == shallow.values);
  CHECK(call_i32(s, m, "at", {val_i32(0)}) == 2u);
  auto trap = [&](uint32_t i) {
    auto r = call_export(s, m, "at", {val_i32(i)});
    REQUIRE(!r.ok());
    CHECK(r.error().kind == ErrorKind::Trap);
    return r.error().message;
  };
  CHECK(trap(2) == "indirect call type mismatch");
  CHECK(trap(3) == "uninitialized element 3");
  CHECK(trap(4) == "undefined element");
}

TEST_CASE("tail call: an endless tail-call loop is interruptible") {
  Store s;
  Instance* m = instantiate_ok(s, compile_wat_module(R"((module
    (func $spin (export "spin") (param i32) (result i32)
      (return_call $spin (i32.add (local.get 0) (i32.const 1))))))"));
  check_spin_interrupted(s, m, "spin", {val_i32(0)});
}

TEST_CASE("tail call: the validator checks the callee's results") {
  auto bin = wat_to_wasm(R"((module
    (func $f (result i64) (i64.const 1))
    (func (result i32) (return_call $f))))");
  REQUIRE(bin.ok());
  auto mod = decode_module(*bin);
  REQUIRE(mod.ok());
  auto v = validate_module(*mod);
  REQUIRE(!v.ok());
  CHECK(v.error().message.find("type mismatch") != std::string::npos);
}
