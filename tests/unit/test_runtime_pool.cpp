// Runtime pools under concurrent calls: fibers of one dispatcher Loop call
// the typed guest's `counter` export (returns how many calls its instance
// served before, then sleeps), so a reused instance that was not reset
// would answer non-zero. Guests come from $WIPPY_REGISTRY_GUESTS
// (tests/registry/meson.build).
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "dispatcher/dispatcher.h"
#include "runtime/module_hash.h"
#include "test_loop.h"
#include "tests/unit/runtime_fixture.h"
#include "wippy/runtime.h"

using namespace wippy;

namespace {

std::string counter_registry(const RegistryScratch& s, std::string_view pool) {
  return fmt::format(
      "namespace: p\n"
      "entries:\n"
      "  - {{name: files, kind: fs.directory, directory: .}}\n"
      "  - name: counter\n"
      "    kind: function.wasm\n"
      "    fs: files\n"
      "    path: /typed.component.wasm\n"
      "    hash: sha256:{}\n"
      "    method: counter\n"
      "    imports: [wasi:cli, wasi:io, wasi:clocks, wasi:filesystem]\n"
      "    pool: {}\n",
      s.hash("typed.component.wasm"), pool);
}

struct Outcome {
  int ok = 0;
  int zero = 0;
  std::string first_error;
  double wall_s = 0;
};

// `calls` fibers, all in flight, each calling counter(ms).
Outcome run_concurrent(Runtime& rt, int calls, int ms) {
  Outcome o;
  disp::LoopOptions lo;
  lo.stack_size = 256 * 1024;
  auto loop_owner = wippy::testing::make_loop(lo);
  disp::Loop& loop = *loop_owner;
  const std::vector<std::string> args{std::to_string(ms)};
  for (int i = 0; i < calls; ++i)
    REQUIRE(loop.spawn([&] {
      auto r = rt.call_json("p:counter", args);
      if (!r) {
        if (o.first_error.empty()) o.first_error = r.error().message;
        return;
      }
      ++o.ok;
      if (r->json == "0") ++o.zero;
    }).valid());
  const uint64_t t0 = disp::now_ns();
  CHECK(loop.run() == disp::RunResult::finished);
  o.wall_s = double(disp::now_ns() - t0) / 1e9;
  return o;
}

}  // namespace

TEST_CASE("runtime pool: static pool of 8 serves 1000 concurrent calls, each on a reset instance") {
  RegistryScratch s;
  s.copy_guest("typed.component.wasm");
  auto rt = Runtime::load(s.write("p.yaml", counter_registry(s, "{type: static, workers: 8}")));
  REQUIRE_MESSAGE(rt.ok(), (rt.ok() ? "" : rt.error().message));
  Outcome o = run_concurrent(**rt, 1000, 2);
  CHECK_MESSAGE(o.first_error.empty(), o.first_error);
  CHECK(o.ok == 1000);
  CHECK(o.zero == 1000);  // the counter read 0 at the start of every call
  auto info = (*rt)->pool_info("p:counter");
  REQUIRE(info.ok());
  CHECK(info->capacity == 8);
  CHECK(info->live == 8);
  CHECK(info->idle == 8);
  CHECK(info->resets == 1000);
  // 1000 calls of >= 2 ms on 8 instances: at least 125 rounds.
  CHECK(o.wall_s >= 0.25);
  MESSAGE("static pool of 8, 1000 calls of counter(2 ms): wall " << o.wall_s << " s, mean reset "
                                                                  << double(info->reset_ns) / 1e3 / double(info->resets)
                                                                  << " us");
}

TEST_CASE("runtime pool: inline pool serialises calls on one instance") {
  RegistryScratch s;
  s.copy_guest("typed.component.wasm");
  auto rt = Runtime::load(s.write("p.yaml", counter_registry(s, "{type: inline}")));
  REQUIRE(rt.ok());
  Outcome o = run_concurrent(**rt, 4, 50);
  CHECK_MESSAGE(o.first_error.empty(), o.first_error);
  CHECK(o.zero == 4);
  CHECK(o.wall_s >= 0.195);  // 4 x 50 ms, one after the other
  auto info = (*rt)->pool_info("p:counter");
  REQUIRE(info.ok());
  CHECK(info->live == 1);
}

TEST_CASE("runtime pool: lazy and adaptive pools grow to max_size, no further") {
  for (const char* type : {"lazy", "adaptive"}) {
    CAPTURE(type);
    RegistryScratch s;
    s.copy_guest("typed.component.wasm");
    auto rt = Runtime::load(s.write("p.yaml", counter_registry(s, fmt::format("{{type: {}, max_size: 3}}", type))));
    REQUIRE(rt.ok());
    Outcome o = run_concurrent(**rt, 9, 50);
    CHECK_MESSAGE(o.first_error.empty(), o.first_error);
    CHECK(o.zero == 9);
    CHECK(o.wall_s >= 0.145);  // 9 calls, 3 at a time, 50 ms each
    auto info = (*rt)->pool_info("p:counter");
    REQUIRE(info.ok());
    CHECK(info->capacity == 3);
    CHECK(info->live == 3);
  }
}
