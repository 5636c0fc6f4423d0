// Unit tests for the GC proposal's type system: struct/array and
// rec/sub definitions through text, binary and the cache codec; module-level
// and store-level canonicalisation of recursion groups; declared subtyping
// (validation errors, final types) and its run-time use by call_indirect
// and at link time; a module's interning memo (TypeInternMemo) replayed
// into stores in the state it saw, and only those.
#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "interp/cache/module_codec.h"
#include "interp/type_canon.h"
#include "wat_module.h"

using namespace wippy;
using namespace wippy::testing;

namespace {

constexpr const char* kRecGroup = R"((module
  (rec (type $a (func (param (ref null $b)))) (type $b (sub (struct (field (mut i8)) (field i64)))))
  (rec (type $c (func (param (ref null $d)))) (type $d (sub (struct (field (mut i8)) (field i64)))))
  (rec (type $e (func (param (ref null $f)))) (type $f (sub (struct (field i8) (field i64)))))
  (type $g (sub $d (struct (field (mut i8)) (field i64) (field (ref null $a)))))
  (type $h (array (mut i16)))
))";

// A module of the two function types the cast tests share ($b a subtype
// of $a) followed by `fields`.
std::string with_func_subtypes(std::string_view fields) {
  return "(module (type $a (sub (func))) (type $b (sub $a (func)))" + std::string(fields) + ")";
}

}  // namespace

TEST_CASE("gc types: definitions decode with kinds, fields, groups and supertypes") {
  auto m = compile_wat_module(kRecGroup);
  REQUIRE(m->types.size() == 8);
  REQUIRE(m->subtypes.size() == 8);
  const SubType& b = m->subtypes[1];
  CHECK(b.kind == CompKind::Struct);
  CHECK_FALSE(b.final);
  CHECK(b.rec_begin == 0);
  CHECK(b.rec_size == 2);
  REQUIRE(b.fields.size() == 2);
  CHECK(b.fields[0] == FieldType{kPackedI8, true});
  CHECK(b.fields[1] == FieldType{ValType::I64, false});
  const SubType& g = m->subtypes[6];
  CHECK(g.super == 3);
  CHECK(g.num_supers == 1);
  CHECK(g.rec_size == 1);
  CHECK(m->subtypes[7].kind == CompKind::Array);
  CHECK(m->subtypes[7].final);
  CHECK(m->subtypes[7].fields[0] == FieldType{kPackedI16, true});
}

TEST_CASE("gc types: equivalent recursion groups share canonical ids in a module") {
  auto m = compile_wat_module(kRecGroup);
  REQUIRE(m->type_canon.size() == 8);
  CHECK(m->type_canon[2] == 0);  // $c ~ $a
  CHECK(m->type_canon[3] == 1);  // $d ~ $b
  CHECK(m->type_canon[4] == 4);  // $f's field is immutable: another group
  CHECK(m->type_canon[5] == 5);
  const TypeGraph tg = m->type_graph();
  CHECK(val_subtype(tg, make_ref(false, kHeapTypeBase + 6), make_ref(true, kHeapTypeBase + 1)));  // $g <: $b (~ $d)
  CHECK_FALSE(val_subtype(tg, make_ref(false, kHeapTypeBase + 6), make_ref(true, kHeapTypeBase + 5)));
  CHECK(val_subtype(tg, make_ref(false, kHeapTypeBase + 6), make_ref(false, kHeapEq)));
  CHECK(val_subtype(tg, make_ref(true, kHeapNone), make_ref(true, kHeapTypeBase + 7)));
  CHECK_FALSE(val_subtype(tg, make_ref(true, kHeapNoFunc), make_ref(true, kHeapTypeBase + 7)));
  CHECK(val_subtype(tg, make_ref(true, kHeapNoFunc), make_ref(true, kHeapTypeBase + 0)));
  CHECK_FALSE(val_subtype(tg, make_ref(false, kHeapTypeBase + 0), make_ref(false, kHeapAny)));
}

TEST_CASE("gc types: a store gives equivalent groups of two modules equal ids, others not") {
  auto one = compile_wat_module(R"((module
    (rec (type $x (func (param (ref $y)))) (type $y (func (result (ref $x)))))
    (type $z (func (param i32)))))");
  auto two = compile_wat_module(R"((module
    (type $p (func (param i32)))
    (rec (type $q (func (param (ref $r)))) (type $r (func (result (ref $q)))))
    (rec (type $s (func (result (ref $t)))) (type $t (func (param (ref $s)))))
    (rec (type $u (func (param (ref $u)))))))");
  Store s;
  std::vector<uint32_t> a = s.intern_types(*one);
  std::vector<uint32_t> b = s.intern_types(*two);
  CHECK(a[0] == b[1]);
  CHECK(a[1] == b[2]);
  CHECK(a[2] == b[0]);
  CHECK(a[2] == s.intern_type(FuncType{{ValType::I32}, {}}));  // a host function's type too
  CHECK(b[3] != a[0]);  // the same members in another order: another group
  CHECK(b[3] != a[1]);
  CHECK(b[5] != a[0]);
  CHECK(s.intern_types(*one) == a);  // interning again changes nothing
}

TEST_CASE("gc types: a module's interning memo replays only into a store in the state it saw") {
  auto one = compile_wat_module(R"((module
    (rec (type $x (func (param (ref $y)))) (type $y (func (result (ref $x)))))
    (type $z (func (param i32)))))");
  auto two = compile_wat_module(kRecGroup);
  // Ids and layouts interned with the memo must be those of plain interning,
  // whatever came before: each store here takes `one`, a host type, `two`.
  auto run = [&](TypeInternMemo* memo, bool host_first) {
    auto s = std::make_unique<Store>();
    if (host_first) s->intern_type(FuncType{{ValType::I64}, {}});
    std::vector<uint32_t> a = s->intern_types(*one);
    s->intern_type(FuncType{{ValType::F32}, {}});
    std::vector<uint32_t> b = s->intern_types(*two, memo);
    return std::make_pair(std::move(s), std::move(b));
  };
  TypeInternMemo memo;
  for (bool host_first : {false, false, true, true, false}) {
    auto [plain, want] = run(nullptr, host_first);
    auto [memoized, got] = run(&memo, host_first);
    CHECK(got == want);
    REQUIRE(memoized->num_type_ids() == plain->num_type_ids());
    for (uint32_t id = 0; id < plain->num_type_ids(); ++id) {
      CHECK((memoized->gc_layout(id) == nullptr) == (plain->gc_layout(id) == nullptr));
      for (uint32_t other = 0; other < plain->num_type_ids(); ++other)
        CHECK(memoized->type_matches(id, other) == plain->type_matches(id, other));
    }
    // Equal keys found after a replay: the same ids again.
    CHECK(memoized->intern_types(*two) == got);
    CHECK(memoized->intern_type(FuncType{{ValType::F32}, {}}) == plain->intern_type(FuncType{{ValType::F32}, {}}));
  }
}

// A replay adding more keys than the table has room for grows its slots
// once at the end: every key is found afterwards, and keys new to the store
// still get fresh ids.
TEST_CASE("gc types: a replay that outgrows the key table finds every key after it") {
  std::string wat = "(module";
  for (int k = 0; k < 150; ++k) {
    wat += " (type (func (param";
    for (int p = 0; p <= k; ++p) wat += " i32";
    wat += ")))";
  }
  auto big = compile_wat_module(wat + ")");
  TypeInternMemo memo;
  Store first;
  first.intern_type(FuncType{{ValType::I64}, {}});
  const std::vector<uint32_t> want = first.intern_types(*big, &memo);  // records the memo
  Store second;
  second.intern_type(FuncType{{ValType::I64}, {}});
  const std::vector<uint32_t> got = second.intern_types(*big, &memo);  // replays it
  CHECK(got == want);
  REQUIRE(second.num_type_ids() == first.num_type_ids());
  for (int k = 0; k < 150; ++k) {
    FuncType t;
    t.params.assign(size_t(k) + 1, ValType::I32);
    CHECK(second.intern_type(t) == want[size_t(k)]);
  }
  CHECK(second.intern_type(FuncType{{ValType::I64}, {}}) == first.intern_type(FuncType{{ValType::I64}, {}}));
  const uint32_t fresh = second.intern_type(FuncType{{ValType::F64}, {}});
  CHECK(fresh == first.num_type_ids());
  CHECK(second.num_type_ids() == first.num_type_ids() + 1);
}

TEST_CASE("gc types: subtype validation errors name the types") {
  std::string msg = invalid_message(R"((module
    (type $s (sub (struct (field i32))))
    (type $t (sub $s (struct (field i64))))))");
  CHECK(msg.find("sub type 1 does not match super type 0") != std::string::npos);
  msg = invalid_message(R"((module
    (type $s (sub (struct (field (mut i32)))))
    (type $t (sub $s (struct (field i32))))))");
  CHECK(msg.find("sub type") != std::string::npos);
  msg = invalid_message(R"((module
    (type $f (sub (func (param i32))))
    (type $g (sub $f (struct)))))");
  CHECK(msg.find("sub type") != std::string::npos);
  msg = invalid_message(R"((module (rec (type $a (sub $b (func))) (type $b (sub (func))))))");
  CHECK(msg.find("unknown type 1 as supertype of type 0") != std::string::npos);
  msg = invalid_message(R"((module (type (func (param (ref 1)))) (type (func))))");
  CHECK(msg.find("unknown type") != std::string::npos);
  msg = invalid_message(R"((module (type $s (struct)) (func (type $s))))");
  CHECK(msg.find("non-function type") != std::string::npos);
  // a subtype may widen an immutable field and narrow a parameter
  compile_wat_module(R"((module
    (type $f (sub (func (param (ref func)) (result funcref))))
    (type $g (sub $f (func (param funcref) (result (ref func)))))
    (type $s (sub (struct (field anyref))))
    (type $t (sub $s (struct (field (ref eq)) (field i8))))))");
}

TEST_CASE("gc types: a final type cannot be extended") {
  std::string msg = invalid_message(R"((module
    (type $f (sub final (func)))
    (type $g (sub $f (func)))))");
  CHECK(msg.find("sub type 1 does not match super type 0: the super type is final") != std::string::npos);
  msg = invalid_message(R"((module (type $f (func)) (type $g (sub $f (func)))))");  // plain types are final
  CHECK(msg.find("final") != std::string::npos);
  compile_wat_module(R"((module (type $f (sub (func))) (type $g (sub final $f (func)))))");
}

TEST_CASE("gc types: call_indirect accepts a declared subtype's function, across modules too") {
  Store s;
  auto provider = instantiate_ok(s, compile_wat_module(R"((module
    (type $base (sub (func (result i32))))
    (type $mid (sub $base (func (result i32))))
    (rec (type $r (func (result i32))) (type (struct)))
    (func $f (type $mid) (i32.const 7))
    (func $g (type $base) (i32.const 8))
    (func $h (type $r) (i32.const 9))
    (table (export "t") funcref (elem $f $g $h))))"));
  auto user = compile_wat_module(R"((module
    (type $base (sub (func (result i32))))
    (type $mid (sub $base (func (result i32))))
    (rec (type $r (func (result i32))) (type (struct)))
    (import "p" "t" (table 3 funcref))
    (func (export "base") (param i32) (result i32) (call_indirect (type $base) (local.get 0)))
    (func (export "mid") (param i32) (result i32) (call_indirect (type $mid) (local.get 0)))
    (func (export "rec") (param i32) (result i32) (call_indirect (type $r) (local.get 0)))))");
  Extern t{ExternKind::Table, provider->exports.at("t").ptr};
  auto inst = instantiate(s, user, std::span<const Extern>(&t, 1));
  REQUIRE(inst.ok());
  CHECK(call_i32(s, *inst, "base", {val_i32(0)}) == 7);  // $mid <: $base
  CHECK(call_i32(s, *inst, "base", {val_i32(1)}) == 8);
  CHECK(call_i32(s, *inst, "mid", {val_i32(0)}) == 7);
  CHECK(call_i32(s, *inst, "rec", {val_i32(2)}) == 9);  // equivalent groups of two modules
  for (auto [name, i] : {std::pair{"mid", 1}, {"base", 2}, {"rec", 0}}) {
    auto r = call_export(s, *inst, name, {val_i32(uint32_t(i))});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::Trap);
    CHECK(r.error().message == "indirect call type mismatch");
  }
}

TEST_CASE("gc types: imports match by declared subtype, tags exactly") {
  Store s;
  auto provider = instantiate_ok(s, compile_wat_module(R"((module
    (type $base (sub (func)))
    (type $mid (sub $base (func)))
    (func (export "f") (type $mid))
    (func (export "g") (type $base))
    (tag (export "tag") (type $mid))))"));
  auto import_as = [&](const char* wat, const char* name, ExternKind kind) {
    Extern e{kind, provider->exports.at(name).ptr};
    return instantiate(s, compile_wat_module(wat), std::span<const Extern>(&e, 1));
  };
  CHECK(import_as(R"((module (type $base (sub (func))) (import "p" "f" (func (type $base)))))", "f",
                  ExternKind::Func)
            .ok());
  // equivalent declarations in another module name the same types
  CHECK(import_as(R"((module (type $other (sub (func))) (type $x (sub $other (func)))
                       (import "p" "f" (func (type $x)))))",
                  "f", ExternKind::Func)
            .ok());
  auto r = import_as(R"((module (type $base (sub (func))) (type $mid (sub $base (func)))
                          (import "p" "g" (func (type $mid)))))",
                     "g", ExternKind::Func);  // a supertype's function is not a subtype's
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == ErrorKind::Unlinkable);
  r = import_as(R"((module (type $base (sub (func))) (import "p" "tag" (tag (type $base)))))", "tag", ExternKind::Tag);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == ErrorKind::Unlinkable);
  CHECK(import_as(R"((module (type $base (sub (func))) (type $mid (sub $base (func)))
                       (import "p" "tag" (tag (type $mid)))))",
                  "tag", ExternKind::Tag)
            .ok());
}

TEST_CASE("gc types: the code cache keeps definitions and canonical ids") {
  auto m = compile_wat_module(kRecGroup);
  auto back = decode_cached_module(encode_module(*m), m->bytes);
  REQUIRE(back.ok());
  REQUIRE(back->subtypes.size() == m->subtypes.size());
  for (size_t i = 0; i < m->subtypes.size(); ++i) {
    CHECK(back->subtypes[i].kind == m->subtypes[i].kind);
    CHECK(back->subtypes[i].fields == m->subtypes[i].fields);
    CHECK(back->subtypes[i].super == m->subtypes[i].super);
    CHECK(back->subtypes[i].rec_size == m->subtypes[i].rec_size);
  }
  CHECK(back->type_canon == m->type_canon);
}

TEST_CASE("gc types: ref.test and ref.cast on function references, abstract types and nulls") {
  Store s;
  Instance* inst = instantiate_ok(s, compile_wat_module(with_func_subtypes(R"(
    (func $fa (type $a)) (func $fb (type $b))
    (elem declare func $fa $fb)
    (table $t 2 funcref) (elem (table $t) (i32.const 0) func $fa $fb)
    (func (export "test-null") (result i32 i32 i32 i32 i32)
      (ref.test (ref null $a) (ref.null func))
      (ref.test (ref $a) (ref.null func))
      (ref.test nullfuncref (ref.null $b))
      (ref.test (ref null none) (ref.null any))
      (ref.test externref (ref.null noextern)))
    (func (export "test-func") (result i32 i32 i32 i32 i32)
      (ref.test (ref $a) (ref.func $fb))
      (ref.test (ref $b) (ref.func $fa))
      (ref.test (ref func) (ref.func $fa))
      (ref.test (ref nofunc) (ref.func $fa))
      (ref.test (ref $b) (table.get $t (i32.const 1))))
    (func (export "cast-ok") (result i32) (ref.is_null (ref.cast (ref $a) (table.get $t (i32.const 1)))))
    (func (export "cast-fail") (drop (ref.cast (ref $b) (table.get $t (i32.const 0)))))
    (func (export "cast-null") (drop (ref.cast (ref $a) (ref.null func))))
    (func (export "cast-null-ok") (result i32) (ref.is_null (ref.cast (ref null $b) (ref.null func)))))")));
  auto results = [&](const char* name) {
    auto r = call_export(s, inst, name);
    REQUIRE(r.ok());
    std::vector<uint32_t> v;
    for (Value x : *r) v.push_back(x.i32);
    return v;
  };
  CHECK(results("test-null") == std::vector<uint32_t>{1, 0, 1, 1, 1});
  CHECK(results("test-func") == std::vector<uint32_t>{1, 0, 1, 0, 1});
  CHECK(call_i32(s, inst, "cast-ok") == 0);
  CHECK(call_i32(s, inst, "cast-null-ok") == 1);
  for (const char* name : {"cast-fail", "cast-null"}) {
    auto r = call_export(s, inst, name);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::Trap);
    CHECK(r.error().message == "cast failure");
  }
  CHECK(invalid_because("(module (func (result i32) (ref.test (ref func) (ref.null extern))))", "type mismatch"));
  CHECK(invalid_because("(module (func (result (ref func)) (ref.cast (ref null func) (ref.null func))))",
                        "type mismatch"));
}

TEST_CASE("gc types: br_on_cast and br_on_cast_fail on function references") {
  Store s;
  Instance* inst = instantiate_ok(s, compile_wat_module(with_func_subtypes(R"(
    (func $fa (type $a)) (func $fb (type $b))
    (table $t 3 funcref) (elem (table $t) (i32.const 0) func $fa $fb)
    (func (export "on-cast") (param i32) (result i32)
      (block $l (result (ref $b))
        (br_on_cast $l funcref (ref $b) (table.get $t (local.get 0)))
        (ref.is_null) (i32.const 10) (i32.add) (return))
      (drop) (i32.const 1))
    (func (export "on-cast-null") (param i32) (result i32)
      (block $l (result (ref null $b))
        (br_on_cast $l funcref (ref null $b) (table.get $t (local.get 0)))
        (ref.is_null) (i32.const 10) (i32.add) (return))
      (drop) (i32.const 1))
    (func (export "on-fail") (param i32) (result i32)
      (block $l (result funcref)
        (br_on_cast_fail $l funcref (ref $b) (table.get $t (local.get 0)))
        (ref.is_null) (i32.const 10) (i32.add) (return))
      (ref.is_null)))")));
  auto run = [&](const char* name, uint32_t i) { return call_i32(s, inst, name, {val_i32(i)}); };
  CHECK(run("on-cast", 1) == 1);    // $fb: taken
  CHECK(run("on-cast", 0) == 10);   // $fa: falls through, not null
  CHECK(run("on-cast", 2) == 11);   // null: falls through
  CHECK(run("on-cast-null", 2) == 1);
  CHECK(run("on-cast-null", 0) == 10);
  CHECK(run("on-fail", 1) == 10);   // $fb: falls through as (ref $b)
  CHECK(run("on-fail", 0) == 0);    // $fa: taken, not null
  CHECK(run("on-fail", 2) == 1);    // null: taken
  // the target type must be a subtype of the source; the label must take what is sent
  for (const char* func : {
           "(func (param (ref $a)) (result (ref $a))"
           " (block $l (result (ref $a)) (br_on_cast $l (ref $b) (ref $a) (local.get 0))))",
           "(func (param funcref)"
           " (block $l (result (ref $b)) (br_on_cast $l funcref (ref null $b) (local.get 0)) (unreachable)) (drop))",
           "(func (param funcref)"
           " (block $l (result (ref $b)) (br_on_cast_fail $l funcref (ref $b) (local.get 0)) (unreachable)) (drop))",
       }) {
    INFO(func);
    CHECK(invalid_because(with_func_subtypes(func), "type mismatch"));
  }
}

TEST_CASE("gc types: chains of declared supertypes stop at depth 63") {
  auto chain = [](int n) {  // $t0 <- $t1 <- ... <- $t(n-1), each with a field (ref null $t(i-1))
    std::string wat = "(module (type $t0 (sub (struct)))";
    for (int i = 1; i < n; ++i)
      wat += "(type $t" + std::to_string(i) + " (sub $t" + std::to_string(i - 1) + " (struct (field (ref null $t" +
             std::to_string(i - 1) + ")))))";
    return wat + ")";
  };
  auto ok = compile_wat_module(chain(64));
  CHECK(val_subtype(ok->type_graph(), make_ref(false, kHeapTypeBase + 63), make_ref(false, kHeapTypeBase + 0)));
  CHECK(invalid_because(chain(65), "subtype depth of type 64 exceeds 63"));
  // a long chain is refused before any structure is compared (no quadratic walk)
  CHECK(invalid_because(chain(20000), "subtype depth of type 64 exceeds 63"));
}
