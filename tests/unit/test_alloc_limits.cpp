// Unit tests for the store's table limits and for running out of memory
// (issue 16 part 3): tables count in ExecLimits::max_memory_bytes (8 bytes
// an entry) and against max_table_elems (10 M entries per store by
// default); past either, table.grow returns -1 and instantiation fails with
// a clear error. Under an address-space limit (ulimit -v, in a forked
// child) mapping failures are errors too, never a signal; a host function
// that throws std::bad_alloc fails its call, not the process; and so does a
// component export whose results cannot be lifted in the memory there is.
#include <doctest/doctest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <functional>
#include <new>
#include <string>

#include "dispatcher/sanitizer.h"
#include "component/decode.h"
#include "component/linker.h"
#include "component/text/component_wat.h"
#include "resident.h"
#include "wat_module.h"

using namespace wippy;
using namespace wippy::testing;

namespace {

// `count` tables of `min` funcref entries each, and a function growing
// table 0 by its argument (its result is table.grow's).
std::string tables_module(int count, uint64_t min) {
  std::string wat = "(module\n";
  for (int i = 0; i < count; ++i) wat += "  (table " + std::to_string(min) + " funcref)\n";
  wat += "  (func (export \"grow\") (param i32) (result i32) (table.grow 0 (ref.null func) (local.get 0)))\n";
  wat += "  (func (export \"size\") (result i32) (table.size 0)))";
  return wat;
}

// Runs `body` in a forked child under a 2 GB address-space limit (ulimit
// -v 2000000) and checks that the child exited with status 0, not by a
// signal. body returns 0 when everything was as expected, else which step
// failed; an exception escaping it (on a fiber: an abort) is status 99.
void check_in_limited_child(const std::function<int()>& body) {
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    rlimit lim{2'000'000ull * 1024, 2'000'000ull * 1024};
    if (setrlimit(RLIMIT_AS, &lim) != 0) _exit(98);
    int code = 99;
    try {
      code = body();
    } catch (...) {
    }
    _exit(code);
  }
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  CHECK_FALSE(WIFSIGNALED(status));
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

constexpr uint64_t k10M = 10'000'000;
constexpr size_t kMiB = 1024 * 1024;

}  // namespace

TEST_CASE("table limit: tables count in memory_bytes; table.grow past max_memory_bytes returns -1") {
  Store s;
  s.limits.max_memory_bytes = 65536;
  Instance* inst = instantiate_ok(s, compile_wat_module(tables_module(1, 0)));
  CHECK(s.memory_bytes() == 0);
  CHECK(call_i32(s, inst, "grow", {val_i32(uint32_t(k10M))}) == uint32_t(-1));
  CHECK(call_i32(s, inst, "size") == 0);
  CHECK(call_i32(s, inst, "grow", {val_i32(8000)}) == 0);
  CHECK(s.table_elems() == 8000);
  CHECK(s.memory_bytes() == 8000 * kTableEntryBytes);
  CHECK(call_i32(s, inst, "grow", {val_i32(192)}) == 8000);  // exactly 65536 bytes
  CHECK(call_i32(s, inst, "grow", {val_i32(1)}) == uint32_t(-1));
  CHECK(call_i32(s, inst, "grow", {val_i32(0)}) == 8192);
  // A memory no longer fits beside the full table.
  auto mem = instantiate(s, compile_wat_module("(module (memory 1))"), {});
  REQUIRE_FALSE(mem.ok());
  CHECK(mem.error().kind == ErrorKind::Uninstantiable);
  CHECK(mem.error().message.find("memory limit") != std::string::npos);
}

TEST_CASE("table limit: a table whose minimum exceeds max_memory_bytes is refused at instantiation") {
  Store s;
  s.limits.max_memory_bytes = 65536;
  auto r = instantiate(s, compile_wat_module(tables_module(1, 8193)), {});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == ErrorKind::Uninstantiable);
  CHECK(r.error().message ==
        "table 0 (8193 elements) exceeds the store's limits (table entries: 0 in use, limit 10000000; memory "
        "bytes: 0 in use, limit 65536)");
}

TEST_CASE("table limit: 40 tables of 10 M entries end in a clear error with bounded RSS") {
  const size_t rss0 = resident_bytes();
  Store s;
  CHECK(s.limits.max_table_elems == k10M);
  auto r = instantiate(s, compile_wat_module(tables_module(40, k10M)), {});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == ErrorKind::Uninstantiable);
  CHECK(r.error().message ==
        "table 1 (10000000 elements) exceeds the store's limits (table entries: 10000000 in use, limit 10000000; "
        "memory bytes: 80000000 in use, limit none)");
  const size_t rss1 = resident_bytes();
  if (rss0 != 0) CHECK(rss1 < rss0 + 200 * kMiB);
  MESSAGE("40 x 10 M tables refused; RSS grew by " << (rss1 - std::min(rss0, rss1)) / 1024 << " KiB");
}

TEST_CASE("table limit: 20 tables of 1 M entries stop at the store's 10 M total; grow stops there too") {
  Store s;
  auto r = instantiate(s, compile_wat_module(tables_module(20, 1'000'000)), {});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("table 10 (1000000 elements) exceeds the store's limits") == 0);
  Store t;
  t.limits.max_table_elems = 1000;
  Instance* inst = instantiate_ok(t, compile_wat_module(tables_module(2, 400)));
  CHECK(call_i32(t, inst, "grow", {val_i32(201)}) == uint32_t(-1));
  CHECK(call_i32(t, inst, "grow", {val_i32(200)}) == 400);
  CHECK(t.table_elems() == 1000);
}

// Not under ASan: its shadow memory cannot live within ulimit -v.
TEST_CASE("table limit: under ulimit -v, tables that cannot be mapped are an error, not a signal" * doctest::skip(disp::kAddressSanitizer)) {
  // In a child with a 2 GB address-space limit and no table cap: 40 tables
  // of 10 M entries (3.2 GB of address space) cannot all be mapped.
  check_in_limited_child([] {
    {
      Store s;
      s.limits.max_table_elems = 0;
      auto r = instantiate(s, compile_wat_module(tables_module(40, k10M)), {});
      if (r.ok()) return 2;
      if (r.error().kind != ErrorKind::Exhaustion) return 3;
    }
    // table.grow of 40 empty tables by 10 M entries each (80 MB apiece) in
    // a fresh store with no caps: only the mapping can fail, and it must
    // fail as -1, leaving the store answering.
    std::string wat = "(module\n";
    for (int i = 0; i < 40; ++i) wat += "  (table 0 funcref)\n";
    for (int i = 0; i < 40; ++i)
      wat += "  (func (export \"grow" + std::to_string(i) + "\") (result i32) (table.grow " + std::to_string(i) +
             " (ref.null func) (i32.const " + std::to_string(k10M) + ")))\n";
    wat += ")";
    Store g;
    g.limits.max_table_elems = 0;
    auto inst = instantiate(g, compile_wat_module(wat), {});
    if (!inst.ok()) return 4;
    bool refused = false;
    for (int i = 0; i < 40 && !refused; ++i) {
      auto out = invoke(g, (*inst)->export_func("grow" + std::to_string(i)), {});
      if (!out.ok()) return 5;
      refused = (*out)[0].i32 == uint32_t(-1);
    }
    return refused ? 0 : 6;
  });
}

TEST_CASE("out of memory: std::bad_alloc in a host function fails the call; the store keeps working") {
  Store s;
  FuncType ret_i32;
  ret_i32.results.push_back(ValType::I32);
  bool fail = true;
  FuncInst* host = s.create_host_func(ret_i32, [&](HostContext&, std::span<const Value>, std::span<Value> out) -> Result<void> {
    if (fail) throw std::bad_alloc();
    out[0] = val_i32(7);
    return {};
  });
  auto mod = compile_wat_module(R"((module
    (import "env" "f" (func $f (result i32)))
    (func (export "call") (result i32) (i32.add (call $f) (i32.const 1)))))");
  Extern imp{ExternKind::Func, host};
  auto inst = instantiate(s, mod, std::span<const Extern>(&imp, 1));
  REQUIRE(inst.ok());
  auto r = call_export(s, *inst, "call");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == ErrorKind::Exhaustion);
  CHECK(r.error().message == "out of memory");
  fail = false;
  CHECK(call_i32(s, *inst, "call") == 8);
}

// Not under ASan: its shadow memory cannot live within ulimit -v.
TEST_CASE("out of memory: a component result too large to lift fails the call, not the process" * doctest::skip(disp::kAddressSanitizer)) {
  // `many` returns a list of 10^8 empty strings (800 MB of (ptr, len) pairs
  // in its 1 GiB memory, never written: they read zero). Lifting needs
  // gigabytes of host values; under ulimit -v 2000000 (a forked child) the
  // allocation fails.
  constexpr const char* kMany = R"((component
    (core module $M
      (memory (export "mem") 16384 16384)
      (func (export "many") (result i32)
        (i32.store (i32.const 8) (i32.const 1024))
        (i32.store (i32.const 12) (i32.const 100000000))
        (i32.const 8)))
    (core instance $m (instantiate $M))
    (alias core export $m "mem" (core memory $memory))
    (func $many (result (list string)) (canon lift (core func $m "many") (memory $memory) string-encoding=utf8))
    (export "many" (func $many))))";
  auto bin = component::component_wat_to_binary(kMany);
  REQUIRE_MESSAGE(bin.ok(), (bin.ok() ? "" : bin.error().message));
  auto dec = component::decode_component(*bin);
  REQUIRE_MESSAGE(dec.ok(), (dec.ok() ? "" : dec.error().message));
  auto comp = std::make_shared<const component::Component>(std::move(*dec));
  check_in_limited_child([&] {
    Store store;
    component::Linker linker;
    auto inst = linker.instantiate(store, comp);
    if (!inst.ok()) return 2;
    auto r = (*inst)->call("many", {});
    if (r.ok()) return 3;
    if (r.error().kind != ErrorKind::Exhaustion || r.error().message != "out of memory") return 4;
    return 0;
  });
}
