// Unit tests for the per-module table images (interp/runtime/table_image.h)
// and the lazy table entries they put in an instance's tables (TableInst in
// interp/store.h): an entry's function is made when the entry is first
// read, by call_indirect, return_call_indirect, table.get or table.copy to
// another table, and every read gives the function the eager path gave.
#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <string_view>

#include "interp/exec/code.h"
#include "interp/runtime/table_image.h"
#include "interp/snapshot.h"
#include "interp/store.h"
#include "wat_module.h"

using namespace wippy;

namespace {

Extern ext(ExternKind k, void* p) {
  Extern e;
  e.kind = k;
  e.ptr = p;
  return e;
}

bool made(const Instance& i, uint32_t d) { return (i.made[d / 64] >> (d % 64) & 1) != 0; }

uint32_t call_i32(Store& store, Instance* inst, const char* name, std::vector<Value> args) {
  auto r = testing::call_export(store, inst, name, std::move(args));
  REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
  return (*r)[0].i32;
}

uint64_t call_ref(Store& store, Instance* inst, const char* name, uint32_t arg) {
  auto r = testing::call_export(store, inst, name, {val_i32(arg)});
  REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
  return (*r)[0].ref;
}

// Function 0 is imported; defined $f1..$f4 are indices 1..4 (def 0..3).
constexpr std::string_view kLazyModule = R"((module
  (import "env" "h" (func $h (result i32)))
  (type $t (func (result i32)))
  (table $t0 (export "tab") 8 funcref)
  (elem (i32.const 0) $h $f1 $f3)
  (elem (i32.const 5) $f1)
  (elem $p func $f2)
  (elem declare func $f4)
  (func $f1 (result i32) (i32.const 1))
  (func $f2 (result i32) (i32.const 2))
  (func $f3 (result i32) (i32.const 3))
  (func $f4 (result i32) (i32.const 4))
  (func (export "call") (param i32) (result i32) (call_indirect (type $t) (local.get 0)))
  (func (export "tail") (param i32) (result i32) (return_call_indirect (type $t) (local.get 0)))
  (func (export "get") (param i32) (result funcref) (table.get $t0 (local.get 0)))
  (func (export "init") (table.init $t0 $p (i32.const 7) (i32.const 0) (i32.const 1)))))";

// kLazyModule with its second segment's offset from an imported global:
// no table image, so instantiation writes its segments.
std::string eager_module() {
  std::string m(kLazyModule);
  const std::string seg = "(elem (i32.const 5) $f1)", import = "(func $h (result i32)))";
  m.replace(m.find(seg), seg.size(), "(elem (global.get $five) $f1)");
  m.insert(m.find(import) + import.size(), " (import \"env\" \"five\" (global $five i32))");
  return m;
}

// A module importing a table of at least 4 entries: $f goes to entry 1 of
// it, $g to entry 0 of its own; then `more` segments.
std::string imported_table_module(std::string_view more) {
  return std::string(R"((module
    (import "env" "t" (table 4 funcref))
    (table $own 4 funcref)
    (elem (table 0) (i32.const 1) func $f)
    (elem (table $own) (i32.const 0) func $g)
    (func $f (result i32) (i32.const 1))
    (func $g (result i32) (i32.const 2)) )") +
         std::string(more) + ")";
}

// An instance of `mod` whose one import is a new funcref table of `size`
// entries (*table).
Result<Instance*> with_table(Store& store, std::shared_ptr<const Module> mod, uint64_t size, TableInst** table) {
  *table = store.create_table(TableType{ValType::FuncRef, Limits{size, false, 0}}, 0);
  Extern imports[] = {ext(ExternKind::Table, *table)};
  return instantiate(store, std::move(mod), imports);
}

FuncInst* nine(Store& store) {
  return store.create_host_func(FuncType{{}, {ValType::I32}},
                                [](HostContext&, std::span<const Value>, std::span<Value> results) -> Result<void> {
                                  results[0] = val_i32(9);
                                  return {};
                                });
}

}  // namespace

TEST_CASE("table images: a defined table's segment entries are lazy until read, then the instance's own functions") {
  auto mod = testing::compile_wat_module(kLazyModule);
  auto code = prepare_code(mod);
  REQUIRE(code->table_images != nullptr);
  CHECK(code->elem_funcs.empty());  // nothing is made for the segments
  Store store;
  FuncInst* host = nine(store);
  Extern imports[] = {ext(ExternKind::Func, host)};
  auto one = instantiate(store, mod, imports, code);
  auto two = instantiate(store, mod, imports, code);
  REQUIRE_MESSAGE(one.ok(), (one.ok() ? "" : one.error().message));
  REQUIRE_MESSAGE(two.ok(), (two.ok() ? "" : two.error().message));
  for (Instance* i : {*one, *two}) {
    TableInst& t = *i->tables[0];
    CHECK(t.lazy_owner == i);
    CHECK(t.elems[0] == lazy_func_entry(0));
    CHECK(t.elems[1] == lazy_func_entry(1));
    CHECK(t.elems[2] == lazy_func_entry(3));
    CHECK(t.elems[5] == lazy_func_entry(1));
    CHECK(t.elems[3] == 0);
    CHECK(!made(*i, 0));  // $f1, $f3: not until read
    CHECK(!made(*i, 2));
    CHECK(made(*i, 1));   // $f2: the passive segment's reference
    CHECK(!made(*i, 3));  // $f4: declarative

    // call_indirect makes the entry's function and writes it back.
    CHECK(call_i32(store, i, "call", {val_i32(2)}) == 3);
    CHECK(made(*i, 2));
    CHECK(t.elems[2] == reinterpret_cast<uint64_t>(i->func(3)));
    CHECK(i->func(3)->instance == i);
    CHECK(i->func(3)->def_index == 2);
    CHECK(i->func(3)->type_id == i->type_ids[i->module->funcs[2]]);
    // An imported function's entry resolves to the import.
    CHECK(call_i32(store, i, "tail", {val_i32(0)}) == 9);
    CHECK(t.elems[0] == reinterpret_cast<uint64_t>(host));
    // table.get gives what ref.func would; both entries of $f1 are one function.
    CHECK(!made(*i, 0));
    CHECK(call_ref(store, i, "get", 5) == reinterpret_cast<uint64_t>(i->func(1)));
    CHECK(t.elems[1] == lazy_func_entry(1));  // the other entry is still lazy
    CHECK(t.get(1) == t.elems[5]);
    CHECK(t.elems[1] == t.elems[5]);
    CHECK(call_i32(store, i, "tail", {val_i32(1)}) == 1);
    CHECK(call_ref(store, i, "get", 3) == 0);
    // table.init writes made functions over the image.
    CHECK(t.elems[7] == 0);
    REQUIRE(testing::call_export(store, i, "init", {}).ok());
    CHECK(t.elems[7] == reinterpret_cast<uint64_t>(i->func(2)));
  }
  CHECK((*one)->tables[0]->elems[1] != (*two)->tables[0]->elems[1]);
  // Out of range and null entries still trap as before.
  auto r = testing::call_export(store, *one, "call", {val_i32(3)});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("uninitialized element") != std::string::npos);
  r = testing::call_export(store, *one, "call", {val_i32(8)});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("undefined element") != std::string::npos);
}

TEST_CASE("table images: without an image, segments' functions are made in one pass; entries are each instance's own") {
  // As kLazyModule, with active segments naming the import, $f1 twice and
  // $f3; the passive one names $f2 (kept as references, so made too), the
  // declarative one $f4 (never made).
  auto mod = testing::compile_wat_module(eager_module());
  auto code = prepare_code(mod);
  CHECK(code->table_images == nullptr);
  Store store;
  FuncInst* host = nine(store);
  GlobalInst* five = store.create_global(GlobalType{ValType::I32, false}, val_i32(5));
  Extern imports[] = {ext(ExternKind::Func, host), ext(ExternKind::Global, five)};
  auto one = instantiate(store, mod, imports, code);
  auto two = instantiate(store, mod, imports, code);
  REQUIRE_MESSAGE(one.ok(), (one.ok() ? "" : one.error().message));
  REQUIRE_MESSAGE(two.ok(), (two.ok() ? "" : two.error().message));
  for (Instance* i : {*one, *two}) {
    const TableInst& t = *i->tables[0];
    CHECK(t.lazy_owner == nullptr);
    CHECK(t.elems[0] == reinterpret_cast<uint64_t>(host));
    CHECK(made(*i, 0));   // $f1
    CHECK(made(*i, 1));   // $f2
    CHECK(made(*i, 2));   // $f3
    CHECK(!made(*i, 3));  // $f4
    CHECK(t.elems[1] == reinterpret_cast<uint64_t>(i->func(1)));
    CHECK(t.elems[2] == reinterpret_cast<uint64_t>(i->func(3)));
    CHECK(t.elems[5] == t.elems[1]);  // one FuncInst for both entries
    CHECK(t.elems[3] == 0);
    CHECK(i->func(3)->instance == i);
    CHECK(i->func(3)->def_index == 2);
    CHECK(call_i32(store, i, "call", {val_i32(5)}) == 1);
    CHECK(t.elems[7] == 0);
    REQUIRE(testing::call_export(store, i, "init", {}).ok());
    CHECK(t.elems[7] == reinterpret_cast<uint64_t>(i->func(2)));
  }
  CHECK((*one)->tables[0]->elems[1] != (*two)->tables[0]->elems[1]);
}

TEST_CASE("table images: table.copy to another table makes the functions; an importer reads lazy entries too") {
  auto mod = testing::compile_wat_module(R"((module
    (type $t (func (result i32)))
    (table $a (export "a") 4 funcref)
    (table $b 4 funcref)
    (elem (table $a) (i32.const 0) func $f $g)
    (func $f (result i32) (i32.const 10))
    (func $g (result i32) (i32.const 20))
    (func (export "copy") (table.copy $b $a (i32.const 1) (i32.const 0) (i32.const 2)))
    (func (export "within") (table.copy $a $a (i32.const 2) (i32.const 0) (i32.const 2)))
    (func (export "call_b") (param i32) (result i32) (call_indirect $b (type $t) (local.get 0)))))");
  auto user = testing::compile_wat_module(R"((module
    (type $t (func (result i32)))
    (import "m" "a" (table 4 funcref))
    (func (export "call") (param i32) (result i32) (call_indirect (type $t) (local.get 0)))
    (func (export "get") (param i32) (result funcref) (table.get 0 (local.get 0)))))");
  Store store;
  auto inst = instantiate(store, mod, {});
  REQUIRE_MESSAGE(inst.ok(), (inst.ok() ? "" : inst.error().message));
  Instance& i = **inst;
  TableInst& a = *i.tables[0];
  TableInst& b = *i.tables[1];
  CHECK(b.lazy_owner == nullptr);  // no segment: no image
  REQUIRE(testing::call_export(store, &i, "within", {}).ok());
  CHECK(a.elems[2] == lazy_func_entry(0));  // the same table keeps them lazy
  CHECK(a.elems[3] == lazy_func_entry(1));
  REQUIRE(testing::call_export(store, &i, "copy", {}).ok());
  CHECK(b.elems[1] == reinterpret_cast<uint64_t>(i.func(0)));
  CHECK(b.elems[2] == reinterpret_cast<uint64_t>(i.func(1)));
  CHECK(call_i32(store, &i, "call_b", {val_i32(2)}) == 20);

  Extern imports[] = {ext(ExternKind::Table, &a)};
  auto u = instantiate(store, user, imports);
  REQUIRE_MESSAGE(u.ok(), (u.ok() ? "" : u.error().message));
  CHECK(a.elems[3] == lazy_func_entry(1));
  CHECK(call_i32(store, *u, "call", {val_i32(3)}) == 20);
  CHECK(a.elems[3] == reinterpret_cast<uint64_t>(i.func(1)));
  CHECK(a.elems[2] == lazy_func_entry(0));
  CHECK(call_ref(store, *u, "get", 2) == reinterpret_cast<uint64_t>(i.func(0)));
  CHECK(i.func(0)->instance == &i);
}

TEST_CASE("table images: segments into an imported table are written at instantiation, their functions made") {
  auto mod = testing::compile_wat_module(imported_table_module(""));
  Store store;
  TableInst* imported = nullptr;
  auto inst = with_table(store, mod, 4, &imported);
  REQUIRE_MESSAGE(inst.ok(), (inst.ok() ? "" : inst.error().message));
  Instance& i = **inst;
  CHECK(made(i, 0));
  CHECK(!made(i, 1));
  CHECK(imported->lazy_owner == nullptr);
  CHECK(imported->elems[1] == reinterpret_cast<uint64_t>(i.func(0)));
  CHECK(i.tables[1]->elems[0] == lazy_func_entry(1));
}

TEST_CASE("table images: a module whose segments could fail writes them in order, as the spec says") {
  SUBCASE("a segment out of bounds: the earlier one stays written in the imported table") {
    auto mod = testing::compile_wat_module(imported_table_module("(elem (table 0) (i32.const 3) func $f $f)"));
    CHECK(prepare_code(mod)->table_images == nullptr);
    Store store;
    TableInst* imported = nullptr;
    auto inst = with_table(store, mod, 4, &imported);
    REQUIRE_FALSE(inst.ok());
    CHECK(inst.error().message.find("out of bounds table access") != std::string::npos);
    CHECK(imported->elems[1] != 0);
    CHECK((imported->elems[1] & 1) == 0);
    CHECK(imported->elems[3] == 0);
  }
  SUBCASE("an offset from an imported global") {
    auto mod = testing::compile_wat_module(R"((module
      (import "env" "g" (global i32))
      (type $t (func (result i32)))
      (table 4 funcref)
      (elem (global.get 0) func $f)
      (func $f (result i32) (i32.const 7))
      (func (export "call") (param i32) (result i32) (call_indirect (type $t) (local.get 0)))))");
    auto code = prepare_code(mod);
    CHECK(code->table_images == nullptr);
    Store store;
    GlobalInst* g = store.create_global(GlobalType{ValType::I32, false}, val_i32(3));
    Extern imports[] = {ext(ExternKind::Global, g)};
    auto inst = instantiate(store, mod, imports, code);
    REQUIRE_MESSAGE(inst.ok(), (inst.ok() ? "" : inst.error().message));
    CHECK((*inst)->tables[0]->lazy_owner == nullptr);
    CHECK(call_i32(store, *inst, "call", {val_i32(3)}) == 7);
  }
  SUBCASE("a few entries far into a big table") {
    auto mod = testing::compile_wat_module(R"((module
      (table 100000 funcref)
      (elem (i32.const 90000) func $f)
      (func $f)))");
    CHECK(prepare_code(mod)->table_images == nullptr);
  }
}

TEST_CASE("table images: a snapshot restores entries made since its capture to lazy ones that still resolve") {
  auto mod = testing::compile_wat_module(kLazyModule);
  Store store;
  FuncInst* host = nine(store);
  Extern imports[] = {ext(ExternKind::Func, host)};
  auto inst = instantiate(store, mod, imports);
  REQUIRE_MESSAGE(inst.ok(), (inst.ok() ? "" : inst.error().message));
  auto snap = StoreSnapshot::capture(store);
  REQUIRE_MESSAGE(snap.ok(), (snap.ok() ? "" : snap.error().message));
  TableInst& t = *(*inst)->tables[0];
  CHECK(call_i32(store, *inst, "call", {val_i32(1)}) == 1);
  CHECK(t.elems[1] == reinterpret_cast<uint64_t>((*inst)->func(1)));
  REQUIRE(snap->restore(store).ok());
  CHECK(t.elems[1] == lazy_func_entry(1));
  CHECK(call_i32(store, *inst, "call", {val_i32(5)}) == 1);
  CHECK(call_i32(store, *inst, "call", {val_i32(1)}) == 1);
  CHECK(t.elems[1] == t.elems[5]);
}
