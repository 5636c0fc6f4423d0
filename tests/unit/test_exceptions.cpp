// Unit tests for exception handling (tags, throw, throw_ref, try_table,
// legacy try/catch/delegate/rethrow): tags match by identity across
// modules; an exception that reaches the host — invoke, or a host function
// between two wasm calls — is the trap "uncaught exception"; a throw
// unwinds 10,000 frames; a caught exception is recycled (no growth per
// throw); tail calls leave the caller's handlers; exnrefs survive locals,
// globals, tables and calls; invalid modules are refused in spec words;
// tags survive the module codec.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "interp/cache/module_codec.h"
#include "interp/exec/code.h"
#include "wat_module.h"

using namespace wippy;
using namespace wippy::testing;

namespace {

Instance* load_with(Store& s, std::string_view wat, std::vector<Extern> imports) {
  auto inst = instantiate(s, compile_wat_module(wat), imports);
  REQUIRE_MESSAGE(inst.ok(), (inst.ok() ? "" : inst.error().message));
  return *inst;
}

constexpr const char* kThrower = R"((module
  (tag $e (export "e") (param i32))
  (func (export "throw") (param i32) (throw $e (local.get 0))))
)";

}  // namespace

TEST_CASE("exceptions: tags match by identity across modules") {
  Store s;
  Instance* a = load_with(s, kThrower, {});
  const char* catcher = R"((module
    (import "a" "e" (tag $e (param i32)))
    (import "a" "throw" (func $throw (param i32)))
    (tag $mine (param i32))
    (func (export "catch") (param i32) (result i32)
      (block $h (result i32)
        (try_table (catch $e $h) (call $throw (local.get 0)))
        (i32.const -1)))
    (func (export "own-tag-misses") (param i32) (result i32)
      (block $h (result i32)
        (try_table (catch $mine $h) (call $throw (local.get 0)))
        (i32.const -1)))
    (func (export "catch-all") (param i32) (result i32)
      (block $h
        (try_table (catch_all $h) (call $throw (local.get 0)))
        (return (i32.const -1)))
      (i32.const 7)))
  )";
  Instance* b = load_with(s, catcher, {a->exports.at("e"), a->exports.at("throw")});
  CHECK(call_i32(s, b, "catch", {val_i32(42)}) == 42);
  CHECK(call_i32(s, b, "catch-all", {val_i32(1)}) == 7);
  auto r = call_export(s, b, "own-tag-misses", {val_i32(5)});
  REQUIRE(!r.ok());
  CHECK(r.error().kind == ErrorKind::Trap);
  CHECK(r.error().message == "uncaught exception");
  // a second instance of the same module has its own tag: not caught
  Instance* a2 = load_with(s, kThrower, {});
  Instance* b2 = load_with(s, catcher, {a->exports.at("e"), a2->exports.at("throw")});
  CHECK(!call_export(s, b2, "catch", {val_i32(1)}).ok());
  CHECK(call_i32(s, b2, "catch-all", {val_i32(1)}) == 7);
}

TEST_CASE("exceptions: an exception reaching the host is the trap \"uncaught exception\"") {
  Store s;
  Instance* a = load_with(s, kThrower, {});
  auto r = call_export(s, a, "throw", {val_i32(3)});
  REQUIRE(!r.ok());
  CHECK(r.error().kind == ErrorKind::Trap);
  CHECK(r.error().message == "uncaught exception");
  // wasm -> host -> wasm that throws: the host boundary stops it; the outer
  // try_table does not catch the trap; the store stays usable
  FuncInst* thrower = a->export_func("throw");
  FuncInst* host = s.create_host_func(FuncType{{}, {}}, [thrower](HostContext& ctx, std::span<const Value>,
                                                                   std::span<Value>) -> Result<void> {
    auto inner = invoke(ctx.store, thrower, std::vector<Value>{val_i32(9)});
    if (!inner) return inner.error();
    return {};
  });
  Instance* b = load_with(s, R"((module
    (import "env" "host" (func $host))
    (func (export "outer") (result i32)
      (block $h
        (try_table (catch_all $h) (call $host))
        (return (i32.const 1)))
      (i32.const 2)))
  )",
                          {Extern{ExternKind::Func, host}});
  auto r2 = call_export(s, b, "outer");
  REQUIRE(!r2.ok());
  CHECK(r2.error().kind == ErrorKind::Trap);
  CHECK(r2.error().message == "uncaught exception");
  CHECK(!call_export(s, a, "throw", {val_i32(1)}).ok());
}

TEST_CASE("exceptions: a throw unwinds 10,000 frames; caught exceptions are recycled") {
  Store s;
  s.limits.max_call_depth = 20000;
  Instance* m = instantiate_ok(s, compile_wat_module(R"((module
    (tag $e (param i32 i64))
    (func $down (param i32) (result i32)
      (if (i32.eqz (local.get 0)) (then (throw $e (i32.const 77) (i64.const 5))))
      (i32.add (call $down (i32.sub (local.get 0) (i32.const 1))) (i32.const 1)))
    (func (export "deep") (param i32) (result i32)
      (block $h (result i32 i64)
        (try_table (catch $e $h) (drop (call $down (local.get 0))))
        (return (i32.const -1)))
      (i32.wrap_i64)
      (i32.add))
    (func (export "loop") (param i32) (result i32) (local $caught i32)
      (loop $l
        (block $h
          (try_table (catch_all $h) (throw $e (i32.const 1) (i64.const 1))))
        (local.set $caught (i32.add (local.get $caught) (i32.const 1)))
        (br_if $l (i32.ne (local.get $caught) (local.get 0))))
      (local.get $caught)))
  )"));
  CHECK(call_i32(s, m, "deep", {val_i32(10000)}) == 82);
  CHECK(call_i32(s, m, "deep", {val_i32(0)}) == 82);
  CHECK(call_i32(s, m, "loop", {val_i32(100000)}) == 100000);
  Store::ExecState* st = s.exec_state();
  CHECK(st->exns.size() == 1);  // one object, reused by every throw
}

TEST_CASE("exceptions: exnrefs through locals, globals, tables and calls; legacy rethrow") {
  Store s;
  Instance* m = instantiate_ok(s, compile_wat_module(R"((module
    (tag $e (param i32))
    (global $g (mut exnref) (ref.null exn))
    (table $t 2 exnref)
    (func $pass (param exnref) (result exnref) (local.get 0))
    (func $catch_ref (param i32) (result exnref)
      (block $h (result i32 exnref)
        (try_table (catch_ref $e $h) (throw $e (local.get 0)))
        (unreachable))
      (global.set $g)
      (drop)
      (global.get $g))
    (func (export "roundtrip") (param i32) (result i32) (local exnref)
      (local.set 1 (call $pass (call $catch_ref (local.get 0))))
      (table.set $t (i32.const 1) (local.get 1))
      (block $h (result i32)
        (try_table (catch $e $h) (throw_ref (table.get $t (i32.const 1))))
        (i32.const -1)))
    (func (export "null-throw-ref") (throw_ref (ref.null exn)))
    (func (export "legacy") (param i32) (result i32)
      (try (result i32)
        (do
          (try (do (throw $e (local.get 0)))
            (catch $e (drop) (rethrow 0)))
          (i32.const -1))
        (catch $e (i32.add (i32.const 1000))))))
  )"));
  CHECK(call_i32(s, m, "roundtrip", {val_i32(31)}) == 31);
  CHECK(call_i32(s, m, "legacy", {val_i32(5)}) == 1005);
  auto r = call_export(s, m, "null-throw-ref");
  REQUIRE(!r.ok());
  CHECK(r.error().kind == ErrorKind::Trap);
  CHECK(r.error().message == "null exception reference");
}

TEST_CASE("exceptions: a tail call leaves the caller's handlers") {
  Store s;
  Instance* m = instantiate_ok(s, compile_wat_module(R"((module
    (tag $e)
    (func $thrower (result i32) (throw $e))
    (func $tail (result i32)
      (block $h
        (try_table (catch_all $h) (return_call $thrower))
        (unreachable))
      (i32.const 1))
    (func $plain (result i32)
      (block $h
        (try_table (catch_all $h) (drop (call $thrower)))
        (unreachable))
      (i32.const 1))
    (func (export "tail") (result i32)
      (block $h
        (try_table (catch_all $h) (drop (call $tail)))
        (return (i32.const 0)))
      (i32.const 2))
    (func (export "plain") (result i32) (call $plain)))
  )"));
  CHECK(call_i32(s, m, "tail") == 2);
  CHECK(call_i32(s, m, "plain") == 1);
}

TEST_CASE("exceptions: invalid modules are refused in spec words") {
  CHECK(invalid_message("(module (func (throw 0)))").find("unknown tag 0") != std::string::npos);
  CHECK(invalid_message("(module (tag (param i32)) (func (throw 0)))").find("type mismatch") != std::string::npos);
  CHECK(invalid_message("(module (func (throw_ref)))").find("type mismatch") != std::string::npos);
  CHECK(invalid_message("(module (tag $e (param i32)) (func (block $h (try_table (catch $e $h)))))")
            .find("type mismatch") != std::string::npos);
  CHECK(invalid_message("(module (func (block (rethrow 0))))").find("invalid rethrow label") != std::string::npos);
  CHECK(invalid_message("(module (type (func (result i32))) (tag (type 0)))").find("non-empty tag result type") !=
        std::string::npos);
}

TEST_CASE("module codec: tags and tag imports survive the round trip") {
  Store s;
  Instance* a = load_with(s, kThrower, {});
  auto m = compile_wat_module(R"((module
    (import "a" "e" (tag $e (param i32)))
    (tag $f (export "f") (param i64 f32))
    (func (export "catch") (result i32)
      (block $h (result i32)
        (try_table (catch $e $h) (throw $e (i32.const 12)))
        (i32.const -1))))
  )");
  auto back = decode_cached_module(encode_module(*m), m->bytes);
  REQUIRE_MESSAGE(back.ok(), (back.ok() ? "" : back.error().message));
  CHECK(back->tags == m->tags);
  CHECK(back->imported_tag_types == m->imported_tag_types);
  REQUIRE(back->imports.size() == 1);
  CHECK(back->imports[0].kind == ExternKind::Tag);
  REQUIRE(back->exports.size() == 2);
  CHECK(back->exports[0].kind == ExternKind::Tag);
  std::vector<Extern> imports{a->exports.at("e")};
  auto inst = instantiate(s, std::make_shared<const Module>(std::move(*back)), imports);
  REQUIRE(inst.ok());
  CHECK(call_i32(s, *inst, "catch") == 12);
}
