// Unit tests for the GC collector driven by the interpreter (exec/gc_roots.h):
// a guest allocating far more short-lived objects than the heap limit runs
// to the end, and objects reachable only from each kind of root survive the
// collections that churn triggers: locals, operand-stack values below a
// call and below an allocation, deep recursion, globals, tables, exception
// payloads held by an exnref, frames below a host call that re-enters wasm,
// and references the host pins between calls. A snapshot does not restore
// a store with GC objects (it is rebuilt instead).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "interp/runtime/gc_heap.h"
#include "interp/snapshot.h"
#include "wat_module.h"

using namespace wippy;
using namespace wippy::testing;

namespace {

constexpr const char* kRoots = R"((module
  (type $node (struct (field $v i32) (field $next (ref null $node))))
  (type $pair (struct (field anyref) (field anyref)))
  (import "host" "reenter" (func $reenter (param i32)))
  (global $g (mut (ref null $node)) (ref.null $node))
  (table $t 2 anyref)
  (tag $e (param (ref null $node)))
  ;; n short-lived objects
  (func $churn (export "churn") (param $n i32)
    (loop $l
      (drop (struct.new $node (local.get $n) (ref.null $node)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
  (func $churn0 (param $n i32) (result i32) (call $churn (local.get $n)) (i32.const 0))
  ;; nodes n..1 (values 1..n from the head), churning between them
  (func $list (export "list") (param $n i32) (result (ref null $node))
    (local $h (ref null $node))
    (loop $l
      (local.set $h (struct.new $node (local.get $n) (local.get $h)))
      (call $churn (i32.const 300))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $h))
  (func $sum (export "sum") (param $h (ref null $node)) (result i32)
    (local $s i32)
    (block $done (loop $l
      (br_if $done (ref.is_null (local.get $h)))
      (local.set $s (i32.add (local.get $s) (struct.get $node $v (local.get $h))))
      (local.set $h (struct.get $node $next (local.get $h)))
      (br $l)))
    (local.get $s))
  (func (export "sum-any") (param anyref) (result i32) (call $sum (ref.cast (ref null $node) (local.get 0))))
  (func $sum2 (param $h (ref null $node)) (param i32) (result i32) (i32.add (call $sum (local.get $h)) (local.get 1)))
  (func (export "local") (param $n i32) (param $g i32) (result i32)
    (local $h (ref null $node))
    (local.set $h (call $list (local.get $n)))
    (call $churn (local.get $g))
    (call $sum (local.get $h)))
  ;; the list stays on the operand stack while the next argument churns
  (func (export "stack-call") (param $n i32) (param $g i32) (result i32)
    (call $sum2 (call $list (local.get $n)) (call $churn0 (local.get $g))))
  ;; ... and while this frame's own allocations collect
  (func (export "stack-alloc") (param $n i32) (param $g i32) (result i32)
    (call $sum2
      (call $list (local.get $n))
      (block (result i32)
        (loop $l
          (drop (struct.new $node (local.get $g) (ref.null $node)))
          (br_if $l (local.tee $g (i32.sub (local.get $g) (i32.const 1)))))
        (i32.const 0))))
  ;; both lists are operands of the struct.new that allocates the pair
  (func (export "pair") (param $n i32) (param $m i32) (result i32)
    (local $p (ref null $pair))
    (local.set $p (struct.new $pair (call $list (local.get $n)) (call $list (local.get $m))))
    (call $churn (i32.const 200000))
    (i32.add (call $sum (ref.cast (ref null $node) (struct.get $pair 0 (local.get $p))))
             (call $sum (ref.cast (ref null $node) (struct.get $pair 1 (local.get $p))))))
  ;; every frame keeps a node in a local; the deepest churns
  (func $deep (export "deep") (param $d i32) (param $g i32) (result i32)
    (local $x (ref null $node))
    (local.set $x (struct.new $node (local.get $d) (ref.null $node)))
    (if (result i32) (local.get $d)
      (then (call $deep (i32.sub (local.get $d) (i32.const 1)) (local.get $g)))
      (else (call $churn0 (local.get $g))))
    (i32.add (struct.get $node $v (local.get $x))))
  (func (export "global") (param $n i32) (param $g i32) (result i32)
    (global.set $g (call $list (local.get $n)))
    (call $churn (local.get $g))
    (call $sum (global.get $g)))
  (func (export "table") (param $n i32) (param $g i32) (result i32)
    (table.set $t (i32.const 1) (call $list (local.get $n)))
    (call $churn (local.get $g))
    (call $sum (ref.cast (ref null $node) (table.get $t (i32.const 1)))))
  (func (export "exn") (param $n i32) (param $g i32) (result i32)
    (local $x exnref)
    (block $c (result (ref null $node) exnref)
      (try_table (catch_ref $e $c) (throw $e (call $list (local.get $n))))
      (unreachable))
    (local.set $x)
    (drop)
    (call $churn (local.get $g))
    (block $c2 (result (ref null $node))
      (try_table (catch $e $c2) (throw_ref (local.get $x)))
      (unreachable))
    (call $sum))
  ;; the host re-enters wasm (churn) while this frame holds the list
  (func (export "host") (param $n i32) (param $g i32) (result i32)
    (local $h (ref null $node))
    (local.set $h (call $list (local.get $n)))
    (call $reenter (local.get $g))
    (call $sum (local.get $h)))
))";

struct Guest {
  Store s;
  Instance* inst = nullptr;
  explicit Guest(uint64_t max_gc_bytes, bool stress = false) {
    s.limits.max_gc_bytes = max_gc_bytes;
    s.gc_stress = stress;
    FuncInst* reenter = s.create_host_func(
        FuncType{{ValType::I32}, {}}, [this](HostContext& ctx, std::span<const Value> args, std::span<Value>) {
          auto r = invoke(ctx.store, inst->export_func("churn"), args);
          return r ? Result<void>{} : Result<void>(r.error());
        });
    auto r = instantiate(s, compile_wat_module(kRoots), std::vector<Extern>{Extern{ExternKind::Func, reenter}});
    REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
    inst = *r;
  }
  std::vector<Value> run(const char* name, std::vector<Value> args) {
    auto r = call_export(s, inst, name, std::move(args));
    REQUIRE_MESSAGE(r.ok(), name << ": " << (r.ok() ? "" : r.error().message));
    return *r;
  }
  uint32_t call(const char* name, std::vector<Value> args) {
    std::vector<Value> r = run(name, std::move(args));
    REQUIRE(r.size() == 1);
    return r[0].i32;
  }
};

constexpr uint64_t kLimit = 4 << 20;  // far below what the churn allocates in all

}  // namespace

TEST_CASE("gc collect: churning far more than the heap limit runs to the end, the heap stays bounded") {
  Guest g(kLimit);
  const uint64_t one = GcHeap::object_bytes(*g.s.gc_layout(g.s.intern_types(*g.inst->module)[0]), 0);
  const uint32_t n = 1'000'000;
  CHECK(uint64_t(n) * one > 10 * kLimit);
  g.run("churn", {val_i32(n)});
  CHECK(g.s.gc_bytes() <= kLimit);
  CHECK(g.s.gc_heap()->objects() < n / 10);
}

TEST_CASE("gc collect: what each kind of root reaches survives the collections") {
  Guest g(kLimit);
  const uint32_t n = 200, churn = 200'000;  // 1..200 sums to 20100
  CHECK(g.call("local", {val_i32(n), val_i32(churn)}) == 20100);
  CHECK(g.call("stack-call", {val_i32(n), val_i32(churn)}) == 20100);
  CHECK(g.call("stack-alloc", {val_i32(n), val_i32(churn)}) == 20100);
  CHECK(g.call("pair", {val_i32(n), val_i32(50)}) == 20100 + 1275);
  CHECK(g.call("deep", {val_i32(500), val_i32(churn)}) == 125250);  // 0..500
  CHECK(g.call("global", {val_i32(n), val_i32(churn)}) == 20100);
  CHECK(g.call("table", {val_i32(n), val_i32(churn)}) == 20100);
  CHECK(g.call("exn", {val_i32(n), val_i32(churn)}) == 20100);
  CHECK(g.call("host", {val_i32(n), val_i32(churn)}) == 20100);
}

TEST_CASE("gc collect: under gc_stress (a collection at every allocation, swept objects poisoned) every root holds") {
  Guest g(kLimit, true);
  const uint32_t n = 30, churn = 500;  // 1..30 sums to 465
  CHECK(g.call("local", {val_i32(n), val_i32(churn)}) == 465);
  CHECK(g.call("stack-call", {val_i32(n), val_i32(churn)}) == 465);
  CHECK(g.call("stack-alloc", {val_i32(n), val_i32(churn)}) == 465);
  CHECK(g.call("pair", {val_i32(n), val_i32(10)}) == 465 + 55);
  CHECK(g.call("deep", {val_i32(100), val_i32(churn)}) == 5050);
  CHECK(g.call("global", {val_i32(n), val_i32(churn)}) == 465);
  CHECK(g.call("table", {val_i32(n), val_i32(churn)}) == 465);
  CHECK(g.call("exn", {val_i32(n), val_i32(churn)}) == 465);
  CHECK(g.call("host", {val_i32(n), val_i32(churn)}) == 465);
  CHECK(g.s.gc_heap()->collections() > 10000);
}

TEST_CASE("gc collect: a reference the host pins survives calls that collect; unpinned, it is freed") {
  Guest g(kLimit);
  const uint64_t ref = g.run("list", {val_i32(100)})[0].ref;
  g.s.gc_pin(ref);
  g.run("churn", {val_i32(200'000)});
  CHECK(g.call("sum-any", {val_ref(ref)}) == 5050);
  collect_garbage(g.s);
  const uint64_t pinned = g.s.gc_heap()->objects();
  CHECK(pinned >= 100);
  g.s.gc_unpin(ref);
  CHECK(collect_garbage(g.s) >= 100);
  CHECK(g.s.gc_heap()->objects() <= pinned - 100);
}

TEST_CASE("gc collect: a snapshot does not restore a store that has allocated GC objects") {
  Guest g(kLimit);
  auto snap = StoreSnapshot::capture(g.s);
  REQUIRE(snap.ok());
  CHECK(snap->restore(g.s).ok());  // nothing allocated yet
  g.run("list", {val_i32(10)});
  auto r = snap->restore(g.s);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("GC objects") != std::string::npos);
}
