// Unit tests for dispatcher/guest_call: wasm guests (WAT -> decode ->
// validate -> instantiate) running as fibers of one Loop — parking in a host
// sleep, cooperative preemption by time slices, deadlines, cancellation and
// deep recursion on a small fiber stack.
#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dispatcher/dispatcher.h"
#include "dispatcher/guest_call.h"
#include "interp/decode/decode.h"
#include "interp/store.h"
#include "interp/text/wat.h"
#include "interp/validate/validate.h"
#include "resident.h"
#include "test_loop.h"
#include "wat_module.h"

using namespace wippy;
using namespace wippy::disp;
using wippy::testing::compile_wat_module;
using wippy::testing::resident_bytes;

namespace {

constexpr uint64_t kMs = 1000000;

Extern func_extern(FuncInst* f) {
  Extern e;
  e.kind = ExternKind::Func;
  e.ptr = f;
  return e;
}

Instance* make_instance(Store& store, std::shared_ptr<const Module> m, std::vector<Extern> imports = {},
                        std::shared_ptr<CompiledModule> code = nullptr) {
  auto inst = instantiate(store, std::move(m), imports, std::move(code));
  REQUIRE_MESSAGE(inst.ok(), (inst.ok() ? "" : inst.error().message));
  return *inst;
}

FuncInst* export_of(Instance* inst, const char* name) {
  FuncInst* f = inst->export_func(name);
  REQUIRE_MESSAGE(f != nullptr, name);
  return f;
}

// Calls func(args) on a fiber of `loop` (spawned with `spawn`) and runs the
// loop to its end (checked); the one i32 the call returned, 0 otherwise.
uint32_t run_i32_call(Loop& loop, Store& store, FuncInst* func, std::vector<Value> args = {},
                      SpawnOptions spawn = {}) {
  uint32_t out = 0;
  spawn_guest_call(loop, store, func, std::move(args), {},
                   [&](Result<std::vector<Value>> r) {
                     if (r.ok() && r->size() == 1) out = (*r)[0].i32;
                   },
                   spawn);
  CHECK(loop.run() == RunResult::finished);
  return out;
}

// How a guest call spawned by spawn_recorded ended: whether its completion
// ran, and the call's error (a default Error when it succeeded).
struct CallEnd {
  bool done = false;
  Error err;
};

// spawn_guest_call with a completion that records into `end`, which must
// outlive the fiber.
FiberHandle spawn_recorded(Loop& loop, Store& store, FuncInst* func, std::vector<Value> args,
                           GuestCallOptions opts, CallEnd& end, SpawnOptions spawn = {}) {
  return spawn_guest_call(loop, store, func, std::move(args), opts,
                          [&end](Result<std::vector<Value>> r) {
                            end.done = true;
                            if (!r.ok()) end.err = r.error();
                          },
                          spawn);
}

// REQUIREs that the call ended; CHECKs that it failed with `kind` and `message`.
void check_ended_with(const CallEnd& end, ErrorKind kind, std::string_view message) {
  REQUIRE(end.done);
  CHECK(end.err.kind == kind);
  CHECK(end.err.message == message);
}

double seconds_since(uint64_t t0) { return double(now_ns() - t0) / 1e9; }

const char* kSleeper = R"((module
  (import "env" "sleep" (func $sleep (param i32)))
  (func (export "run") (param $ms i32) (param $x i32) (result i32)
    (call $sleep (local.get $ms))
    (i32.add (local.get $x) (i32.const 1)))
  (func (export "quick") (result i32) (i32.const 7))))";

// kSleeper's `module` instantiated in `store` with the millisecond sleep as
// its import (and `code`, as for make_instance).
Instance* instantiate_sleeper(Store& store, std::shared_ptr<const Module> module,
                              std::shared_ptr<CompiledModule> code = nullptr) {
  return make_instance(store, std::move(module), {func_extern(create_sleep_func(store, SleepUnit::millis_i32))},
                       std::move(code));
}

// A test's Store with kSleeper instantiated in it (`inst`) and a fresh
// loop (`loop`, owned by `loop_owner`), for TEST_CASE_FIXTURE.
struct SleeperOnLoop {
  Store store;
  Instance* inst = instantiate_sleeper(store, compile_wat_module(kSleeper));
  std::unique_ptr<Loop> loop_owner = wippy::testing::make_loop();
  Loop& loop = *loop_owner;
};

const char* kSpinner = R"((module
  (func (export "spin") (loop $l (br $l)))
  (func (export "answer") (result i32) (i32.const 42))))";

const char* kTicker = R"((module
  (import "env" "tick" (func $tick))
  (import "env" "sleep" (func $sleep (param i32)))
  (func (export "run") (param $n i32) (param $ms i32)
    (loop $l
      (call $tick)
      (call $sleep (local.get $ms))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $l (local.get $n)))))
)";

// A store with small interpreter stacks: plenty for these guests, and
// what a host running thousands of them would configure.
std::unique_ptr<Store> small_store() {
  auto s = std::make_unique<Store>();
  s->limits.value_stack_slots = 4096;
  s->limits.max_call_depth = 256;
  return s;
}

}  // namespace

TEST_CASE("dispatcher guest: 1000 guests sleep 100 ms each through a pollable, concurrently") {
  constexpr int kGuests = 1000;
  auto module = compile_wat_module(kSleeper);
  auto code = prepare_code(module);

  const size_t rss_before = resident_bytes();
  std::vector<std::unique_ptr<Store>> stores;
  std::vector<FuncInst*> runs;
  stores.reserve(kGuests);
  for (int i = 0; i < kGuests; ++i) {
    stores.push_back(small_store());
    Store& s = *stores.back();
    Instance* inst = instantiate_sleeper(s, module, code);
    runs.push_back(export_of(inst, "run"));
  }

  auto loop_owner = wippy::testing::make_loop();
  Loop& loop = *loop_owner;
  std::vector<uint32_t> results(kGuests, 0);
  int ok = 0;
  std::string first_error;
  for (int i = 0; i < kGuests; ++i) {
    FiberHandle h = spawn_guest_call(loop, *stores[i], runs[i], {val_i32(100), val_i32(uint32_t(i))}, {},
                                     [&, i](Result<std::vector<Value>> r) {
                                       if (r.ok() && r->size() == 1) {
                                         results[i] = (*r)[0].i32;
                                         ++ok;
                                       } else if (first_error.empty()) {
                                         first_error = r.ok() ? "wrong arity" : r.error().message;
                                       }
                                     });
    REQUIRE(h.valid());
  }
  // Runs after every guest has started and parked in its sleep.
  size_t rss_peak = 0;
  int parked_seen = -1;
  loop.spawn([&] {
    rss_peak = resident_bytes();
    parked_seen = ok;
  });

  const uint64_t t0 = now_ns();
  CHECK(loop.run() == RunResult::finished);
  const double wall = seconds_since(t0);

  CHECK_MESSAGE(first_error.empty(), first_error);
  CHECK(ok == kGuests);
  CHECK(parked_seen == 0);
  for (int i = 0; i < kGuests; ++i) CHECK(results[i] == uint32_t(i + 1));
  CHECK(wall >= 0.099);
  MESSAGE("1000 guests x sleep(100 ms) on one loop: wall " << wall << " s");
  if (rss_before != 0 && rss_peak > rss_before)
    MESSAGE("resident per guest (store + instance + parked fiber): "
            << (rss_peak - rss_before) / kGuests << " bytes");
  CHECK(loop.fiber_count() == 0);
}

TEST_CASE("dispatcher guest: a spinning guest is time-sliced, a ticking guest keeps ticking, deadline ends the spin") {
  constexpr int kTicks = 20;
  auto spin_mod = compile_wat_module(kSpinner);
  auto tick_mod = compile_wat_module(kTicker);

  Store spin_store;
  Instance* spin_inst = make_instance(spin_store, spin_mod);

  Store tick_store;
  std::vector<uint64_t> ticks;
  FuncType void_type;
  FuncInst* tick_fn = tick_store.create_host_func(
      void_type, [&ticks](HostContext&, std::span<const Value>, std::span<Value>) -> Result<void> {
        ticks.push_back(now_ns());
        return {};
      });
  Instance* tick_inst =
      make_instance(tick_store, tick_mod,
                    {func_extern(tick_fn), func_extern(create_sleep_func(tick_store, SleepUnit::millis_i32))});

  LoopOptions lo;
  lo.time_slice_ns = 5 * kMs;
  auto loop_owner = wippy::testing::make_loop(lo);
  Loop& loop = *loop_owner;

  const uint64_t t0 = now_ns();
  uint64_t spin_end = 0, tick_end = 0;
  bool spin_done = false, tick_done = false;
  Error spin_err;
  std::string tick_err;

  GuestCallOptions spin_opts;
  spin_opts.timeout_ns = 1000 * kMs;  // generous: the ticker needs ~20 x (10 ms + a slice)
  spawn_guest_call(loop, spin_store, export_of(spin_inst, "spin"), {}, spin_opts,
                   [&](Result<std::vector<Value>> r) {
                     spin_end = now_ns();
                     spin_done = true;
                     if (!r.ok()) spin_err = r.error();
                   });
  spawn_guest_call(loop, tick_store, export_of(tick_inst, "run"), {val_i32(kTicks), val_i32(10)}, {},
                   [&](Result<std::vector<Value>> r) {
                     tick_end = now_ns();
                     tick_done = true;
                     if (!r.ok()) tick_err = r.error().message;
                   });
  CHECK(loop.run() == RunResult::finished);

  REQUIRE(spin_done);
  REQUIRE(tick_done);
  CHECK_MESSAGE(tick_err.empty(), tick_err);
  CHECK(ticks.size() == size_t(kTicks));
  // The ticker made progress while the guest spun (how many of its ticks
  // fit in the spinner's second depends on the machine's load; a few must).
  const auto ticks_while_spinning = std::count_if(ticks.begin(), ticks.end(), [&](uint64_t t) { return t < spin_end; });
  CHECK(ticks_while_spinning >= 3);
  CHECK(spin_err.kind == ErrorKind::Interrupted);
  CHECK(spin_err.message == kDeadlineExceeded);
  const double spin_s = double(spin_end - t0) / 1e9;
  CHECK(spin_s >= 0.99);
  uint64_t max_gap = 0;
  for (size_t i = 1; i < ticks.size(); ++i) max_gap = std::max(max_gap, ticks[i] - ticks[i - 1]);
  MESSAGE("20 ticks done after " << double(tick_end - t0) / 1e9 << " s (max gap " << double(max_gap) / 1e6
                                 << " ms, " << ticks_while_spinning << " while spinning); spinner trapped after "
                                 << spin_s << " s");

  // Healthy afterwards: the trapped store runs another call, and the flags
  // of the finished call do not linger.
  CHECK(spin_store.interrupt == 0);
  CHECK(!spin_store.on_interrupt);
  CHECK(run_i32_call(loop, spin_store, export_of(spin_inst, "answer")) == 42);
}

TEST_CASE_FIXTURE(SleeperOnLoop,
                  "dispatcher guest: cancelling a guest parked in sleep ends its call and frees its fiber") {
  CallEnd end;
  FiberHandle guest = spawn_recorded(loop, store, export_of(inst, "run"), {val_i32(10000), val_i32(1)}, {}, end);
  REQUIRE(guest.valid());
  bool was_alive = false;
  loop.spawn([&] {
    (void)this_fiber::sleep_for(20 * kMs);
    was_alive = loop.alive(guest);
    CHECK(loop.cancel(guest));
  });
  CHECK(loop.run() == RunResult::finished);

  CHECK(was_alive);
  check_ended_with(end, ErrorKind::Interrupted, kCancelled);
  CHECK(!loop.alive(guest));
  CHECK(loop.fiber_count() == 0);

  // The store is usable again from a new fiber.
  CHECK(run_i32_call(loop, store, export_of(inst, "quick")) == 7);
}

TEST_CASE("dispatcher guest: cancelling a time-sliced spinning guest ends it at a back-edge") {
  auto module = compile_wat_module(kSpinner);
  Store store;
  Instance* inst = make_instance(store, module);
  LoopOptions lo;
  lo.time_slice_ns = 5 * kMs;  // the spinner yields now and then, so the canceller gets to run
  auto loop_owner = wippy::testing::make_loop(lo);
  Loop& loop = *loop_owner;
  CallEnd end;
  FiberHandle guest = spawn_recorded(loop, store, export_of(inst, "spin"), {}, {}, end);
  loop.spawn([&] {
    (void)this_fiber::sleep_for(20 * kMs);
    CHECK(loop.cancel(guest));
  });
  CHECK(loop.run() == RunResult::finished);
  check_ended_with(end, ErrorKind::Interrupted, kCancelled);
  CHECK(loop.fiber_count() == 0);
}

TEST_CASE_FIXTURE(SleeperOnLoop, "dispatcher guest: a deadline ends a guest parked in sleep") {
  GuestCallOptions opts;
  opts.timeout_ns = 30 * kMs;
  CallEnd end;
  spawn_recorded(loop, store, export_of(inst, "run"), {val_i32(5000), val_i32(0)}, opts, end);
  const uint64_t t0 = now_ns();
  CHECK(loop.run() == RunResult::finished);
  const double wall = seconds_since(t0);
  check_ended_with(end, ErrorKind::Interrupted, kDeadlineExceeded);
  CHECK(wall >= 0.029);
}

TEST_CASE("dispatcher guest: a store in a call on one fiber is refused to another; no fiber, no call") {
  Store store;
  Instance* inst = instantiate_sleeper(store, compile_wat_module(kSleeper));
  FuncInst* run = export_of(inst, "run");

  // Outside a fiber.
  std::vector<Value> args = {val_i32(1), val_i32(1)};
  auto outside = call_in_fiber(store, run, args);
  REQUIRE(!outside.ok());
  CHECK(outside.error().kind == ErrorKind::Other);

  auto loop_owner = wippy::testing::make_loop();
  Loop& loop = *loop_owner;
  bool first_ok = false;
  Error second;
  spawn_guest_call(loop, store, run, {val_i32(20), val_i32(1)}, {},
                   [&](Result<std::vector<Value>> r) { first_ok = r.ok(); });
  spawn_guest_call(loop, store, run, {val_i32(20), val_i32(1)}, {}, [&](Result<std::vector<Value>> r) {
    if (!r.ok()) second = r.error();
  });
  CHECK(loop.run() == RunResult::finished);
  CHECK(first_ok);
  CHECK(second.kind == ErrorKind::Other);
  CHECK(second.message.find("another fiber") != std::string::npos);
}

TEST_CASE("dispatcher guest: deep wasm recursion on a 64 KiB fiber stack exhausts the call stack, not the fiber") {
  auto module = compile_wat_module(R"((module
    (func $down (export "down") (param i32) (result i32)
      (if (result i32) (i32.eqz (local.get 0))
        (then (i32.const 0))
        (else (i32.add (i32.const 1) (call $down (i32.sub (local.get 0) (i32.const 1)))))))
    (func $forever (export "forever") (result i32) (call $forever))))");
  Store store;
  store.limits.max_call_depth = 200000;
  Instance* inst = make_instance(store, module);

  auto loop_owner = wippy::testing::make_loop();
  Loop& loop = *loop_owner;
  SpawnOptions small;
  small.stack_size = 64 * 1024;
  CallEnd end;
  spawn_recorded(loop, store, export_of(inst, "forever"), {}, {}, end, small);
  CHECK(loop.run() == RunResult::finished);
  check_ended_with(end, ErrorKind::Exhaustion, "call stack exhausted");

  // 150,000 nested wasm calls succeed on the same 64 KiB native stack.
  CHECK(run_i32_call(loop, store, export_of(inst, "down"), {val_i32(150000)}, small) == 150000);
}

TEST_CASE("dispatcher guest: a host function re-entering its own store keeps the outer call preemptible") {
  auto module = compile_wat_module(R"((module
    (import "env" "reenter" (func $reenter (result i32)))
    (func (export "quick") (result i32) (i32.const 7))
    (func (export "outer") (result i32)
      (drop (call $reenter))
      (loop $l (br $l))
      (i32.const 0))))");
  Store store;
  FuncInst* quick = nullptr;
  uint32_t inner_result = 0;
  Errc after_inner = Errc::ok;
  FuncType ret_i32;
  ret_i32.results.push_back(ValType::I32);
  FuncInst* reenter = store.create_host_func(
      ret_i32, [&](HostContext& ctx, std::span<const Value>, std::span<Value> out) -> Result<void> {
        GuestCallOptions inner;
        inner.timeout_ns = 5000 * kMs;  // later than the outer deadline: must not extend it
        auto r = call_in_fiber(ctx.store, quick, {}, inner);
        if (!r.ok()) return r.error();
        inner_result = (*r)[0].i32;
        // The outer 50 ms deadline is still the fiber's: a 100 ms wait
        // started now ends with it, not with its own timeout.
        after_inner = this_fiber::sleep_for(100 * kMs);
        out[0] = (*r)[0];
        return {};
      });
  Instance* inst = make_instance(store, module, {func_extern(reenter)});
  quick = export_of(inst, "quick");

  auto loop_owner = wippy::testing::make_loop();  // no time slice: only the deadline can stop the spin
  Loop& loop = *loop_owner;
  GuestCallOptions opts;
  opts.timeout_ns = 50 * kMs;
  Error err;
  spawn_guest_call(loop, store, export_of(inst, "outer"), {}, opts, [&](Result<std::vector<Value>> r) {
    if (!r.ok()) err = r.error();
  });
  CHECK(loop.run() == RunResult::finished);
  CHECK(inner_result == 7);
  CHECK(after_inner == Errc::deadline_exceeded);
  CHECK(err.kind == ErrorKind::Interrupted);
  CHECK(err.message == kDeadlineExceeded);
  CHECK(!store.on_interrupt);
}
