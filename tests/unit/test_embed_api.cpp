// Unit tests for the C++ embedding API (include/wippy/engine.h, linker.h,
// instance.h) on core modules: loading from text, bytes and files (and
// what is refused), listing imports and exports, core host functions
// (typed, their exceptions, their wrong results), calls from inside a
// dispatcher fiber, interrupts and deadlines, and Linker copies.
// (tests/capi/capi_test.c covers components and WASI through the C API.)
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

#include "dispatcher/dispatcher.h"
#include "test_loop.h"
#include "wippy/engine.h"
#include "wippy/instance.h"
#include "wippy/linker.h"

namespace {

using wippy::ErrorKind;
using wippy::component::Val;
using wippy::component::ValKind;
namespace api = wippy::api;

constexpr const char* kWat = R"((module
  (import "env" "add1" (func $add1 (param i32) (result i32)))
  (func (export "f") (param i32) (result i32) (call $add1 (local.get 0)))
  (func (export "spin") (loop $l (br $l)))
  (memory (export "mem") 1)))";

api::Linker linker_with_add1(const api::Engine& engine, int delta) {
  api::Linker linker(engine);
  linker.define_core_func("env", "add1", {{api::CoreType::I32}, {api::CoreType::I32}},
                          [delta](std::span<const Val> a) -> wippy::Result<std::vector<Val>> {
                            return std::vector<Val>{Val::s32(int32_t(a[0].u) + delta)};
                          });
  return linker;
}

// Calls kWat's `spin` on `inst` while another thread interrupts it after
// `ms` milliseconds.
wippy::Result<std::vector<Val>> spin_interrupted_after(api::Instance& inst, int ms) {
  std::thread t([stop = inst.interrupt_handle(), ms] {
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    stop.interrupt();
  });
  auto r = inst.call("spin", {});
  t.join();
  return r;
}

// An engine with kWat compiled on it (`m`, still to be checked): how most
// tests here start.
struct KWatModule {
  api::Engine engine;
  wippy::Result<api::Module> m = api::Module::from_wat(engine, kWat);
};

}  // namespace

TEST_CASE_FIXTURE(KWatModule, "embed api: a module from text lists its imports and exports") {
  REQUIRE(m);
  CHECK(m->imports() == std::vector<std::string>{"env.add1"});
  CHECK(m->exports() == std::vector<std::string>{"f", "spin"});
  auto bad = api::Module::from_wat(engine, "(module (func (export \"x\") (result i32)))");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().kind == ErrorKind::Invalid);
  auto junk = api::Module::from_bytes(engine, std::vector<uint8_t>{1, 2, 3});
  REQUIRE_FALSE(junk);
  CHECK(junk.error().kind == ErrorKind::Malformed);
}

TEST_CASE("embed api: modules and components from files") {
  api::Engine engine;
  char dir[] = "/tmp/wippy-embed-api-XXXXXX";
  REQUIRE(mkdtemp(dir) != nullptr);
  const std::string wat = std::string(dir) + "/m.wat";
  std::ofstream(wat) << kWat;
  auto m = api::Module::from_file(engine, wat);
  REQUIRE(m);
  CHECK(m->exports().size() == 2);
  auto d = api::Module::from_file(engine, dir);  // a directory
  REQUIRE_FALSE(d);
  CHECK(d.error().message.find("directory") != std::string::npos);
  auto c = api::Component::from_file(engine, wat);  // text is not a component
  REQUIRE_FALSE(c);
  CHECK(c.error().kind == ErrorKind::Malformed);
  api::Engine small(api::EngineOptions{.max_module_bytes = 16});
  auto big = api::Module::from_file(small, wat);
  REQUIRE_FALSE(big);
  unlink(wat.c_str());
  rmdir(dir);
}

TEST_CASE_FIXTURE(KWatModule, "embed api: core host functions, typed and JSON calls") {
  REQUIRE(m);
  api::Linker linker = linker_with_add1(engine, 1);
  api::Linker copy = linker;  // independent: redefining one leaves the other
  copy.define_core_func("env", "add1", {{api::CoreType::I32}, {api::CoreType::I32}},
                        [](std::span<const Val> a) -> wippy::Result<std::vector<Val>> {
                          return std::vector<Val>{Val::s32(int32_t(a[0].u) + 100)};
                        });
  auto inst = linker.instantiate(*m, {});
  REQUIRE(inst);
  std::vector<Val> args{Val::s32(41)};
  auto r = inst->call("f", args);
  REQUIRE(r);
  REQUIRE(r->size() == 1);
  CHECK(r->front().kind == ValKind::S32);
  CHECK(int32_t(r->front().u) == 42);
  auto j = inst->call_json("f", {"-5"});
  REQUIRE(j);
  CHECK(*j == "-4");
  auto other = copy.instantiate(*m, {});
  REQUIRE(other);
  auto j2 = other->call_json("f", {"1"});
  REQUIRE(j2);
  CHECK(*j2 == "101");
  auto bad_json = inst->call_json("f", {"\"x\""});
  REQUIRE_FALSE(bad_json);
  CHECK(bad_json.error().kind == ErrorKind::Invalid);
  auto wrong_kind = inst->call("f", std::vector<Val>{Val::string("x")});
  REQUIRE_FALSE(wrong_kind);
  CHECK(wrong_kind.error().kind == ErrorKind::Invalid);
}

TEST_CASE_FIXTURE(KWatModule, "embed api: a host function that throws or returns the wrong values traps") {
  REQUIRE(m);
  api::Linker linker(engine);
  int mode = 0;
  linker.define_core_func("env", "add1", {{api::CoreType::I32}, {api::CoreType::I32}},
                          [&mode](std::span<const Val>) -> wippy::Result<std::vector<Val>> {
                            if (mode == 0) throw std::runtime_error("host bug");
                            if (mode == 1) return std::vector<Val>{};
                            return std::vector<Val>{Val::f64v(1.0)};
                          });
  auto inst = linker.instantiate(*m, {});
  REQUIRE(inst);
  for (mode = 0; mode < 3; ++mode) {
    auto r = inst->call_json("f", {"1"});
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == ErrorKind::Trap);
    CHECK(r.error().message.find("env.add1") != std::string::npos);
  }
}

TEST_CASE_FIXTURE(KWatModule, "embed api: a missing or mistyped import is a link error") {
  REQUIRE(m);
  api::Linker empty(engine);
  auto none = empty.instantiate(*m, {});
  REQUIRE_FALSE(none);
  CHECK(none.error().kind == ErrorKind::Unlinkable);
  api::Linker wrong(engine);
  wrong.define_core_func("env", "add1", {{api::CoreType::I64}, {api::CoreType::I32}},
                         [](std::span<const Val>) -> wippy::Result<std::vector<Val>> { return std::vector<Val>{}; });
  auto mistyped = wrong.instantiate(*m, {});
  REQUIRE_FALSE(mistyped);
  CHECK(mistyped.error().kind == ErrorKind::Unlinkable);
  CHECK(mistyped.error().message.find("(i32) -> (i32)") != std::string::npos);
}

TEST_CASE_FIXTURE(KWatModule, "embed api: interrupt from another thread, deadline, and calls from a fiber") {
  REQUIRE(m);
  api::Linker linker = linker_with_add1(engine, 1);
  auto inst = linker.instantiate(*m, {});
  REQUIRE(inst);
  const auto t0 = std::chrono::steady_clock::now();
  auto r = spin_interrupted_after(*inst, 100);
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == ErrorKind::Interrupted);
  CHECK(std::chrono::steady_clock::now() - t0 >= std::chrono::milliseconds(100));
  auto after = inst->call_json("f", {"1"});  // a core instance stays usable
  REQUIRE(after);
  CHECK(*after == "2");

  api::InstanceOptions opts;
  opts.limits.timeout_ms = 50;
  auto timed = linker.instantiate(*m, opts);
  REQUIRE(timed);
  // From inside a fiber of the embedder's own loop: the call runs on it.
  wippy::disp::LoopOptions lo;
  lo.stack_size = 256 * 1024;
  lo.time_slice_ns = 5'000'000;
  auto loop_owner = wippy::testing::make_loop(lo);
  wippy::disp::Loop& loop = *loop_owner;
  std::optional<wippy::Result<std::vector<Val>>> out;
  loop.spawn([&] { out.emplace(timed->call("spin", {})); });
  loop.run();
  REQUIRE(out);
  REQUIRE_FALSE(*out);
  CHECK(out->error().kind == ErrorKind::Interrupted);
  CHECK(out->error().message.find("deadline exceeded") != std::string::npos);
}

// Calls from a plain thread run on a loop the engine keeps for that thread
// (instance.h): interrupts must reach each call on it, a request racing the
// end of a call may end at most the next call, and the interrupt posts left
// queued on the loop must not cancel later calls' fibers.
TEST_CASE_FIXTURE(KWatModule, "embed api: interrupts on the engine's kept loop reach each call and no later one") {
  REQUIRE(m);
  api::Linker linker = linker_with_add1(engine, 1);
  auto inst = linker.instantiate(*m, {});
  REQUIRE(inst);
  api::InterruptHandle stop = inst->interrupt_handle();
  for (int round = 0; round < 3; ++round) {
    auto r = spin_interrupted_after(*inst, 30);
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == ErrorKind::Interrupted);
    auto ok = inst->call_json("f", {"1"});
    REQUIRE(ok);
    CHECK(*ok == "2");
  }
  // Requests racing short calls: each ends at most the call it meets.
  std::atomic<bool> done{false};
  std::thread racer([&] {
    while (!done.load()) {
      stop.interrupt();
      std::this_thread::yield();
    }
  });
  int interrupted = 0, returned = 0;
  for (int i = 0; i < 2000; ++i) {
    auto r = inst->call_json("f", {"1"});
    if (r) ++returned;
    else if (r.error().kind == ErrorKind::Interrupted) ++interrupted;
  }
  done = true;
  racer.join();
  CHECK(interrupted + returned == 2000);
  (void)inst->call_json("f", {"1"});  // takes a request the racer left, if any
  for (int i = 0; i < 20; ++i) {
    auto r = inst->call_json("f", {std::to_string(i)});
    REQUIRE(r);
    CHECK(*r == std::to_string(i + 1));
  }
  // Another instance of the engine, called from another thread, at the
  // same time as this thread's calls.
  auto other = linker.instantiate(*m, {});
  REQUIRE(other);
  int other_ok = 0;
  std::thread t2([&] {
    for (int i = 0; i < 200; ++i)
      if (auto r = other->call_json("f", {"2"}); r && *r == "3") ++other_ok;
  });
  int here_ok = 0;
  for (int i = 0; i < 200; ++i)
    if (auto r = inst->call_json("f", {"4"}); r && *r == "5") ++here_ok;
  t2.join();
  CHECK(other_ok == 200);
  CHECK(here_ok == 200);
}

TEST_CASE("embed api: instances outlive the Engine object whose loops they call on") {
  std::optional<api::Instance> inst;
  {
    api::Engine engine;
    auto m = api::Module::from_wat(engine, kWat);
    REQUIRE(m);
    api::Linker linker = linker_with_add1(engine, 10);
    auto made = linker.instantiate(*m, {});
    REQUIRE(made);
    REQUIRE(made->call_json("f", {"1"}));
    inst.emplace(std::move(*made));
  }
  auto r = inst->call_json("f", {"1"});
  REQUIRE(r);
  CHECK(*r == "11");
  inst.reset();  // the engine's loops go with the last instance
}
