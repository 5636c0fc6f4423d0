// Unit tests for runtime/caller_loops.h: a thread's calls made outside any
// fiber share the loop its first call made; other threads get their own, up
// to the capacity and then a loop per call; a call from inside a kept loop's
// run gets its own; the watch sees the loop and fiber, then nullptr; a call
// that does not finish drops its loop and the next call makes a new one.
#include <doctest/doctest.h>

#include <thread>
#include <vector>

#include "dispatcher/pollable.h"
#include "dispatcher/this_fiber.h"
#include "runtime/caller_loops.h"

namespace {

using wippy::CallerLoops;
namespace disp = wippy::disp;

disp::LoopOptions small_loops() {
  disp::LoopOptions lo;
  lo.stack_size = 64 * 1024;
  lo.time_slice_ns = 10'000'000;
  return lo;
}

// The loop a call ran on, or null when the call failed.
disp::Loop* loop_of_call(CallerLoops& loops) {
  disp::Loop* seen = nullptr;
  auto r = loops.run([&] {
    CHECK(disp::this_fiber::in_fiber());
    seen = disp::Loop::current();
  });
  CHECK(r.ok());
  return r ? seen : nullptr;
}

}  // namespace

TEST_CASE("caller loops: a thread's calls share its loop, other threads get theirs") {
  CallerLoops loops(small_loops());
  disp::Loop* first = loop_of_call(loops);
  REQUIRE(first != nullptr);
  CHECK(loop_of_call(loops) == first);
  CHECK(loops.kept() == 1);
  CHECK(disp::Loop::current() == nullptr);  // not left current after the call

  disp::Loop* other = nullptr;
  disp::Loop* other_again = nullptr;
  std::thread([&] {
    other = loop_of_call(loops);
    other_again = loop_of_call(loops);
  }).join();
  CHECK(other != nullptr);
  CHECK(other != first);
  CHECK(other_again == other);
  CHECK(loops.kept() == 2);
  CHECK(loop_of_call(loops) == first);
}

TEST_CASE("caller loops: beyond the capacity a thread's call gets a loop for its duration") {
  CallerLoops loops(small_loops(), 1);
  disp::Loop* first = loop_of_call(loops);
  REQUIRE(first != nullptr);
  int ok = 0;
  std::thread([&] {
    for (int i = 0; i < 3; ++i)
      if (disp::Loop* l = loop_of_call(loops); l != nullptr && l != first) ++ok;
  }).join();
  CHECK(ok == 3);
  CHECK(loops.kept() == 1);
  CHECK(loop_of_call(loops) == first);
}

TEST_CASE("caller loops: many threads at once each finish their calls") {
  CallerLoops loops(small_loops(), 3);
  std::vector<std::thread> threads;
  std::vector<int> done(6, 0);
  for (size_t t = 0; t < done.size(); ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i)
        if (loops.run([&] { disp::this_fiber::yield(); }).ok()) ++done[t];
    });
  for (auto& th : threads) th.join();
  for (int d : done) CHECK(d == 50);
  CHECK(loops.kept() == 3);
}

TEST_CASE("caller loops: a call from inside a kept loop's run, outside a fiber, gets its own loop") {
  CallerLoops loops(small_loops());
  disp::Loop* outer = nullptr;
  disp::Loop* inner = nullptr;
  bool inner_in_fiber = false;
  auto r = loops.run([&] {
    outer = disp::Loop::current();
    outer->post([&] {  // runs in the loop's context, on no fiber
      CHECK_FALSE(disp::this_fiber::in_fiber());
      auto nested = loops.run([&] {
        inner_in_fiber = disp::this_fiber::in_fiber();
        inner = disp::Loop::current();
      });
      CHECK(nested.ok());
    });
    disp::this_fiber::yield();
  });
  REQUIRE(r.ok());
  CHECK(inner_in_fiber);
  CHECK(inner != nullptr);
  CHECK(inner != outer);
  CHECK(loops.kept() == 1);
}

TEST_CASE("caller loops: the watch sees the loop and the fiber while the call runs, then nothing") {
  CallerLoops loops(small_loops());
  std::vector<std::pair<disp::Loop*, disp::FiberHandle>> seen;
  disp::FiberHandle running;
  auto r = loops.run([&] { running = disp::this_fiber::id(); },
                     [&](disp::Loop* l, disp::FiberHandle h) { seen.emplace_back(l, h); });
  REQUIRE(r.ok());
  REQUIRE(seen.size() == 2);
  CHECK(seen[0].first != nullptr);
  CHECK(seen[0].second == running);
  CHECK(seen[1].first == nullptr);
  CHECK_FALSE(seen[1].second.valid());
}

TEST_CASE("caller loops: a call that does not finish drops its loop; the next call makes another") {
  CallerLoops loops(small_loops());
  REQUIRE(loop_of_call(loops) != nullptr);
  REQUIRE(loops.kept() == 1);
  auto never = disp::Pollable::manual();
  wippy::disp::Errc waited = wippy::disp::Errc::ok;
  auto r = loops.run([&] { waited = disp::this_fiber::block(never); });
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("did not finish") != std::string::npos);
  CHECK(waited == wippy::disp::Errc::cancelled);  // the dropped loop cancelled it
  CHECK(loops.kept() == 0);
  CHECK(loop_of_call(loops) != nullptr);
  CHECK(loops.kept() == 1);
}
