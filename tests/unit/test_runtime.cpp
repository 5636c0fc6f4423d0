// Unit tests for interp/runtime: store objects (memory/table growth),
// instantiation (import matching, segments, start function) and exports.
#include <doctest/doctest.h>

#include <cstring>
#include <memory>
#include <string_view>

#include "interp/decode/decode.h"
#include "interp/store.h"
#include "interp/text/wat.h"
#include "interp/validate/validate.h"
#include "wat_module.h"

using namespace wippy;

namespace {

std::shared_ptr<const Module> compile_wat(std::string_view src) { return testing::compile_wat_module(src); }

Extern ext(ExternKind k, void* p) {
  Extern e;
  e.kind = k;
  e.ptr = p;
  return e;
}

}  // namespace

TEST_CASE("runtime: memory grows within its maximum and reads zero") {
  Store store;
  MemoryInst* m = store.create_memory(MemoryType{Limits{1, true, 3}});
  REQUIRE(m != nullptr);
  CHECK(m->pages() == 1);
  CHECK(m->data[kPageSize - 1] == 0);
  m->data[0] = 7;
  CHECK(m->grow(1) == 1);
  CHECK(m->pages() == 2);
  CHECK(m->data[2 * kPageSize - 1] == 0);
  CHECK(m->grow(2) == uint32_t(-1));
  CHECK(m->pages() == 2);
  CHECK(m->grow(0) == 2);
  CHECK(m->grow(1) == 2);
  CHECK(m->pages() == 3);
  CHECK(m->data[0] == 7);
  m->max_pages = 3;
  CHECK(m->grow(1) == uint32_t(-1));
}

TEST_CASE("runtime: memory without max caps at 65536 pages and max_pages limits growth") {
  Store store;
  MemoryInst* m = store.create_memory(MemoryType{Limits{0, false, 0}});
  REQUIRE(m != nullptr);
  CHECK(m->pages() == 0);
  CHECK(m->grow(65537) == uint32_t(-1));
  m->max_pages = 2;
  CHECK(m->grow(3) == uint32_t(-1));
  CHECK(m->grow(2) == 0);
  CHECK(m->pages() == 2);
}

TEST_CASE("runtime: table grows within its maximum") {
  Store store;
  TableInst* t = store.create_table(TableType{ValType::FuncRef, Limits{2, true, 4}}, 0);
  REQUIRE(t != nullptr);
  CHECK(t->size() == 2);
  CHECK(t->grow(2, 5) == 2);
  CHECK(t->elems[3] == 5);
  CHECK(t->grow(1, 0) == uint32_t(-1));
  TableInst* u = store.create_table(TableType{ValType::ExternRef, Limits{0, false, 0}}, 0);
  CHECK(u->grow(20'000'000, 0) == uint32_t(-1));
  CHECK(u->grow(10, 0) == 0);
}

TEST_CASE("runtime: host function import is called from wasm") {
  Store store;
  auto mod = compile_wat(R"((module
    (import "env" "twice" (func $twice (param i32) (result i32)))
    (func (export "call") (param i32) (result i32)
      (i32.add (call $twice (local.get 0)) (i32.const 1)))))");
  std::vector<uint32_t> seen;
  FuncInst* host = store.create_host_func(
      FuncType{{ValType::I32}, {ValType::I32}},
      [&](HostContext&, std::span<const Value> args, std::span<Value> results) -> Result<void> {
        seen.push_back(args[0].i32);
        results[0] = val_i32(args[0].i32 * 2);
        return {};
      });
  Extern imports[] = {ext(ExternKind::Func, host)};
  auto inst = instantiate(store, mod, imports);
  REQUIRE_MESSAGE(inst.ok(), (inst.ok() ? "" : inst.error().message));
  FuncInst* f = (*inst)->export_func("call");
  REQUIRE(f != nullptr);
  Value arg = val_i32(20);
  auto r = invoke(store, f, std::span<const Value>(&arg, 1));
  REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
  REQUIRE(r->size() == 1);
  CHECK((*r)[0].i32 == 41);
  CHECK(seen == std::vector<uint32_t>{20});
}

// A host function's callable may point into state it does not own; the
// store keeps that state (`keep`) as long as the function, and a function
// stays where it was made however many are made after it.
TEST_CASE("runtime: host functions keep what they are given and stay where they were made") {
  auto block = std::make_shared<std::vector<uint32_t>>(300);
  std::weak_ptr<std::vector<uint32_t>> watch = block;
  {
    Store store;
    auto type = std::make_shared<const FuncType>(FuncType{{}, {ValType::I32}});
    std::vector<FuncInst*> made;
    for (uint32_t k = 0; k < 300; ++k) {
      (*block)[k] = k * 3;
      const uint32_t* at = &(*block)[k];
      made.push_back(store.create_host_func(
          type,
          [at](HostContext&, std::span<const Value>, std::span<Value> results) -> Result<void> {
            results[0] = val_i32(*at);
            return {};
          },
          std::shared_ptr<const void>(block, at)));
    }
    block.reset();
    CHECK_FALSE(watch.expired());
    for (uint32_t k : {0u, 1u, 150u, 299u}) {
      auto r = invoke(store, made[k], {});
      REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
      REQUIRE(r->size() == 1);
      CHECK((*r)[0].i32 == k * 3);
    }
  }
  CHECK(watch.expired());
}

// Host functions of a shared type take its id from the store's small table
// of shared types; past that table's size they are interned as before.
// Either way, equal types get equal ids and different types different ones.
TEST_CASE("runtime: host functions of shared types get their types' ids") {
  Store store;
  auto nop = [](HostContext&, std::span<const Value>, std::span<Value>) -> Result<void> { return {}; };
  const uint32_t want_a = store.intern_type(FuncType{{ValType::I32}, {}});
  const uint32_t want_b = store.intern_type(FuncType{{}, {ValType::I64}});
  REQUIRE(want_a != want_b);
  std::vector<std::shared_ptr<const FuncType>> types;
  for (int k = 0; k < 200; ++k)  // past the table's 64 entries; each object made twice
    types.push_back(std::make_shared<const FuncType>(k % 2 ? FuncType{{}, {ValType::I64}} : FuncType{{ValType::I32}, {}}));
  for (int round = 0; round < 2; ++round)
    for (int k = 0; k < 200; ++k) {
      FuncInst* f = store.create_host_func(types[k], nop);
      CHECK(f->type_id == (k % 2 ? want_b : want_a));
    }
}

TEST_CASE("runtime: import type mismatches are unlinkable and name the import") {
  Store store;
  auto mod = compile_wat(R"((module (import "env" "mem" (memory 2 3))))");
  // Instantiates mod with memory m as its import.
  auto with_memory = [&](MemoryInst* m) {
    Extern imports[] = {ext(ExternKind::Memory, m)};
    return instantiate(store, mod, imports);
  };
  SUBCASE("memory too small") {
    auto inst = with_memory(store.create_memory(MemoryType{Limits{1, true, 3}}));
    REQUIRE_FALSE(inst.ok());
    CHECK(inst.error().kind == ErrorKind::Unlinkable);
    CHECK(inst.error().message.find("incompatible import type") != std::string::npos);
    CHECK(inst.error().message.find("\"env\" \"mem\"") != std::string::npos);
  }
  SUBCASE("memory without max") {
    auto inst = with_memory(store.create_memory(MemoryType{Limits{2, false, 0}}));
    REQUIRE_FALSE(inst.ok());
    CHECK(inst.error().kind == ErrorKind::Unlinkable);
  }
  SUBCASE("grown memory matches") {
    MemoryInst* m = store.create_memory(MemoryType{Limits{1, true, 3}});
    REQUIRE(m->grow(1) == 1);
    auto inst = with_memory(m);
    CHECK_MESSAGE(inst.ok(), (inst.ok() ? "" : inst.error().message));
  }
  SUBCASE("wrong kind") {
    GlobalInst* g = store.create_global(GlobalType{ValType::I32, false}, val_i32(1));
    Extern imports[] = {ext(ExternKind::Global, g)};
    auto inst = instantiate(store, mod, imports);
    REQUIRE_FALSE(inst.ok());
    CHECK(inst.error().kind == ErrorKind::Unlinkable);
  }
  SUBCASE("missing import") {
    auto inst = instantiate(store, mod, {});
    REQUIRE_FALSE(inst.ok());
    CHECK(inst.error().kind == ErrorKind::Unlinkable);
  }
}

TEST_CASE("runtime: function and global imports must match exactly") {
  Store store;
  auto mod = compile_wat(R"((module
    (import "m" "f" (func (param i32)))
    (import "m" "g" (global (mut i32)))))");
  FuncInst* good = store.create_host_func(FuncType{{ValType::I32}, {}},
                                          [](HostContext&, std::span<const Value>, std::span<Value>) -> Result<void> {
                                            return {};
                                          });
  FuncInst* bad = store.create_host_func(FuncType{{ValType::I64}, {}},
                                         [](HostContext&, std::span<const Value>, std::span<Value>) -> Result<void> {
                                           return {};
                                         });
  GlobalInst* mut = store.create_global(GlobalType{ValType::I32, true}, val_i32(0));
  GlobalInst* imm = store.create_global(GlobalType{ValType::I32, false}, val_i32(0));
  {
    Extern imports[] = {ext(ExternKind::Func, bad), ext(ExternKind::Global, mut)};
    auto inst = instantiate(store, mod, imports);
    REQUIRE_FALSE(inst.ok());
    CHECK(inst.error().message.find("\"m\" \"f\"") != std::string::npos);
  }
  {
    Extern imports[] = {ext(ExternKind::Func, good), ext(ExternKind::Global, imm)};
    auto inst = instantiate(store, mod, imports);
    REQUIRE_FALSE(inst.ok());
    CHECK(inst.error().message.find("\"m\" \"g\"") != std::string::npos);
  }
  {
    Extern imports[] = {ext(ExternKind::Func, good), ext(ExternKind::Global, mut)};
    CHECK(instantiate(store, mod, imports).ok());
  }
}

TEST_CASE("runtime: a host-made instance's exports are what was put in") {
  Instance i;
  GlobalInst g;
  i.exports.emplace("g", Extern{ExternKind::Global, &g});
  CHECK(i.exports.size() == 1);
  CHECK(i.export_global("g") == &g);
  CHECK(i.export_func("g") == nullptr);
}

TEST_CASE("runtime: exports are looked up by name and kind") {
  Store store;
  auto mod = compile_wat(R"((module
    (func (export "f"))
    (memory (export "mem") 1)
    (table (export "tab") 2 funcref)
    (global (export "g") i64 (i64.const -5))))");
  auto inst = instantiate(store, mod, {});
  REQUIRE_MESSAGE(inst.ok(), (inst.ok() ? "" : inst.error().message));
  Instance& i = **inst;
  CHECK(i.made[0] == 0);  // the map and "f" are made on the first lookup
  CHECK(i.exports.size() == 4);
  CHECK(i.made[0] == 1);
  CHECK(i.exports.at("tab").ptr == i.export_at(2).ptr);
  CHECK(i.export_func("f") == i.func(0));
  CHECK(i.export_func("mem") == nullptr);
  CHECK(i.export_func("missing") == nullptr);
  REQUIRE(i.export_memory("mem") != nullptr);
  CHECK(i.export_memory("mem")->pages() == 1);
  REQUIRE(i.export_table("tab") != nullptr);
  CHECK(i.export_table("tab")->size() == 2);
  REQUIRE(i.export_global("g") != nullptr);
  CHECK(i.export_global("g")->value.i64 == uint64_t(-5));
  CHECK(i.export_global("f") == nullptr);
}

TEST_CASE("runtime: active segments initialize memory and table, then are dropped") {
  Store store;
  auto mod = compile_wat(R"((module
    (global $base i32 (i32.const 8))
    (memory (export "mem") 1)
    (table (export "tab") 4 funcref)
    (func $a) (func $b)
    (elem (i32.const 1) $a $b)
    (elem $p func $b)
    (data (i32.const 2) "hi")
    (data $q "passive")))");
  auto inst = instantiate(store, mod, {});
  REQUIRE_MESSAGE(inst.ok(), (inst.ok() ? "" : inst.error().message));
  Instance& i = **inst;
  MemoryInst* m = i.export_memory("mem");
  CHECK(std::memcmp(m->data + 2, "hi", 2) == 0);
  TableInst* t = i.export_table("tab");
  CHECK(t->get(0) == 0);
  CHECK(t->get(1) == reinterpret_cast<uint64_t>(i.func(0)));  // (lazy entries, test_table_images.cpp)
  CHECK(t->get(2) == reinterpret_cast<uint64_t>(i.func(1)));
  REQUIRE(i.elem_segments.size() == 2);
  CHECK(i.elem_segments[0].empty());
  CHECK(i.elem_segments[1].size() == 1);
  CHECK(i.data_segment(0).empty());
  CHECK(i.data_segment(1).size() == 7);
  CHECK(i.data_segment(2).empty());  // past the kept list: dropped
}

TEST_CASE("runtime: out-of-bounds segments make instantiation fail, earlier writes stay") {
  Store store;
  SUBCASE("data") {
    MemoryInst* m = store.create_memory(MemoryType{Limits{1, false, 0}});
    auto mod = compile_wat(R"((module
      (import "env" "mem" (memory 1))
      (data (i32.const 0) "ok")
      (data (i32.const 65535) "xy")))");
    Extern imports[] = {ext(ExternKind::Memory, m)};
    auto inst = instantiate(store, mod, imports);
    REQUIRE_FALSE(inst.ok());
    CHECK(inst.error().kind == ErrorKind::Trap);
    CHECK(inst.error().message.find("out of bounds memory access") != std::string::npos);
    CHECK(std::memcmp(m->data, "ok", 2) == 0);
    CHECK(m->data[65535] == 0);
  }
  SUBCASE("elements") {
    TableInst* t = store.create_table(TableType{ValType::FuncRef, Limits{3, false, 0}}, 0);
    auto mod = compile_wat(R"((module
      (import "env" "tab" (table 3 funcref))
      (func $f)
      (elem (i32.const 0) $f)
      (elem (i32.const 2) $f $f)))");
    Extern imports[] = {ext(ExternKind::Table, t)};
    auto inst = instantiate(store, mod, imports);
    REQUIRE_FALSE(inst.ok());
    CHECK(inst.error().kind == ErrorKind::Trap);
    CHECK(inst.error().message.find("out of bounds table access") != std::string::npos);
    CHECK(t->elems[0] != 0);
    CHECK(t->elems[2] == 0);
  }
  SUBCASE("empty segment just past the end is fine, beyond is not") {
    auto ok = compile_wat(R"((module (memory 1) (data (i32.const 65536) "")))");
    CHECK(instantiate(store, ok, {}).ok());
    auto bad = compile_wat(R"((module (memory 1) (data (i32.const 65537) "")))");
    CHECK_FALSE(instantiate(store, bad, {}).ok());
  }
}

TEST_CASE("runtime: the start function runs during instantiation") {
  Store store;
  auto mod = compile_wat(R"((module
    (import "env" "log" (func $log (param i32)))
    (global $g (export "g") (mut i32) (i32.const 0))
    (func $start (global.set $g (i32.const 42)) (call $log (i32.const 7)))
    (start $start)))");
  int calls = 0;
  FuncInst* log = store.create_host_func(FuncType{{ValType::I32}, {}},
                                         [&](HostContext&, std::span<const Value> args, std::span<Value>) -> Result<void> {
                                           CHECK(args[0].i32 == 7);
                                           ++calls;
                                           return {};
                                         });
  Extern imports[] = {ext(ExternKind::Func, log)};
  auto inst = instantiate(store, mod, imports);
  REQUIRE_MESSAGE(inst.ok(), (inst.ok() ? "" : inst.error().message));
  CHECK(calls == 1);
  CHECK((*inst)->export_global("g")->value.i32 == 42);
}

TEST_CASE("runtime: a trapping start function fails instantiation with a trap") {
  Store store;
  auto mod = compile_wat(R"((module (func $s unreachable) (start $s)))");
  auto inst = instantiate(store, mod, {});
  REQUIRE_FALSE(inst.ok());
  CHECK(inst.error().kind == ErrorKind::Trap);
}

TEST_CASE("runtime: globals initialized from imported globals and ref.func") {
  Store store;
  GlobalInst* base = store.create_global(GlobalType{ValType::I32, false}, val_i32(100));
  auto mod = compile_wat(R"((module
    (import "env" "base" (global i32))
    (func $f)
    (global (export "copy") i32 (global.get 0))
    (global (export "fref") funcref (ref.func $f))
    (global (export "null") externref (ref.null extern))))");
  Extern imports[] = {ext(ExternKind::Global, base)};
  auto inst = instantiate(store, mod, imports);
  REQUIRE_MESSAGE(inst.ok(), (inst.ok() ? "" : inst.error().message));
  CHECK((*inst)->export_global("copy")->value.i32 == 100);
  CHECK((*inst)->export_global("fref")->value.ref == reinterpret_cast<uint64_t>((*inst)->func(0)));
  CHECK((*inst)->export_global("null")->value.ref == 0);
}

TEST_CASE("runtime: intern_type gives equal ids to equal types") {
  Store store;
  uint32_t a = store.intern_type(FuncType{{ValType::I32}, {}});
  uint32_t b = store.intern_type(FuncType{{ValType::I64}, {}});
  uint32_t c = store.intern_type(FuncType{{ValType::I32}, {}});
  CHECK(a == c);
  CHECK(a != b);
}

TEST_CASE("runtime: a defined function is made when first referenced, once") {
  // $a..$e: $a exported, $b in a table, $c called directly (never made),
  // $d reached by ref.func at run time, $e tail-called directly.
  auto mod = compile_wat(R"((module
    (type $t (func (result i32)))
    (table 2 funcref)
    (elem (i32.const 0) $b)
    (elem declare func $d)
    (func $a (export "a") (result i32)
      (call $c) (call_indirect (type $t) (i32.const 0)) (i32.add)
      (table.set (i32.const 1) (ref.func $d))
      (call_indirect (type $t) (i32.const 1)) (i32.add)
      (call $tail) (i32.add))
    (func $b (result i32) (i32.const 20))
    (func $c (result i32) (i32.const 1))
    (func $d (result i32) (i32.const 300))
    (func $tail (result i32) (return_call $e))
    (func $e (result i32) (i32.const 4000))))");
  Store store;
  auto inst = instantiate(store, mod, {});
  REQUIRE_MESSAGE(inst.ok(), (inst.ok() ? "" : inst.error().message));
  Instance& i = **inst;
  auto made = [&](uint32_t d) { return (i.made[d / 64] >> (d % 64) & 1) != 0; };
  CHECK(!made(0));  // exported: made when looked up (by name or position)
  CHECK(!made(1));  // in the table: made when its entry is first read
  CHECK(!made(2));  // only called directly
  CHECK(!made(3));
  FuncInst* a = i.export_func("a");
  CHECK(made(0));
  CHECK(a == i.func(0));
  auto r = invoke(store, a, {});
  REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
  CHECK((*r)[0].i32 == 4321);
  CHECK(!made(2));  // direct calls need no FuncInst
  CHECK(made(1));   // call_indirect read its entry
  CHECK(made(3));   // ref.func made it
  CHECK(!made(5));  // return_call neither
  FuncInst* d = i.func(3);
  CHECK(d == i.func(3));
  CHECK(i.tables[0]->elems[1] == reinterpret_cast<uint64_t>(d));  // what ref.func stored
  CHECK(d->def_index == 3);
  CHECK(d->instance == &i);
  CHECK(d->type_id == i.func(1)->type_id);
  CHECK(i.func(2)->def_index == 2);
}

