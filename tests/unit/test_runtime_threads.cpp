// The threading and signal contract of include/wippy/runtime.h on a real
// guest: two Runtimes used on two threads at once, one Runtime handed to
// another thread between calls, and the process's SIGSEGV handler being the
// embedder's again once calls are done.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "dispatcher/loop.h"
#include "test_loop.h"
#include "tests/unit/runtime_fixture.h"
#include "wippy/runtime.h"

using namespace wippy;
using component::Val;

namespace {

std::string greet_registry(const RegistryScratch& s) {
  return fmt::format(
      "namespace: th\nentries:\n  - {{name: files, kind: fs.directory, directory: .}}\n"
      "  - name: greet\n    kind: function.wasm\n    fs: files\n    path: /typed.component.wasm\n"
      "    hash: sha256:{}\n    method: greet\n    imports: [wasi:cli, wasi:io, wasi:clocks, wasi:filesystem]\n",
      s.hash("typed.component.wasm"));
}

// Makes `calls` greet calls with distinct names; returns how many answered
// "hello, NAME" correctly.
int greet_many(Runtime& rt, const std::string& tag, int calls) {
  int good = 0;
  for (int i = 0; i < calls; ++i) {
    const std::string name = fmt::format("{}-{}", tag, i);
    std::vector<Val> args{Val::string(name)};
    auto out = rt.call("th:greet", args);
    if (out.ok() && out->values.size() == 1 && out->values[0].str == "hello, " + name) ++good;
  }
  return good;
}

void marker_handler(int) {}

}  // namespace

TEST_CASE("runtime threads: two Runtimes called on two threads at once") {
  RegistryScratch s;
  s.copy_guest("typed.component.wasm");
  const auto files = s.write("th.yaml", greet_registry(s));
  constexpr int kCalls = 200;
  std::atomic<int> good[2] = {0, 0};
  std::atomic<int> loaded{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t)
    threads.emplace_back([&, t] {
      auto rt = Runtime::load(files);
      if (!rt.ok()) return;
      ++loaded;
      while (loaded.load() < 2) std::this_thread::yield();  // overlap the two threads' calls
      good[t] = greet_many(**rt, fmt::format("t{}", t), kCalls);
    });
  for (auto& th : threads) th.join();
  CHECK(loaded.load() == 2);
  CHECK(good[0].load() == kCalls);
  CHECK(good[1].load() == kCalls);
}

TEST_CASE("runtime threads: a Runtime handed to another thread between calls") {
  RegistryScratch s;
  s.copy_guest("typed.component.wasm");
  auto rt = Runtime::load(s.write("th.yaml", greet_registry(s)));
  REQUIRE_MESSAGE(rt.ok(), (rt.ok() ? "" : rt.error().message));
  CHECK(greet_many(**rt, "main", 10) == 10);
  int other = 0;
  std::thread([&] { other = greet_many(**rt, "other", 10); }).join();
  CHECK(other == 10);
  CHECK(greet_many(**rt, "main-again", 10) == 10);
}

// A Runtime without workers keeps the loop of its first call from outside
// a fiber (runtime.h, "Signals"): wippy's handler stays installed while the
// Runtime lives, and the embedder's is back once it is gone.
TEST_CASE("runtime threads: the embedder's SIGSEGV handler is installed again after the Runtime") {
  RegistryScratch s;
  s.copy_guest("typed.component.wasm");
  auto rt = Runtime::load(s.write("th.yaml", greet_registry(s)));
  REQUIRE(rt.ok());
  struct sigaction mine, before, during, after;
  std::memset(&mine, 0, sizeof mine);
  mine.sa_handler = marker_handler;
  sigemptyset(&mine.sa_mask);
  REQUIRE(sigaction(SIGSEGV, &mine, &before) == 0);  // `before`: doctest's, put back below
  const int good = greet_many(**rt, "sig", 3);
  REQUIRE(sigaction(SIGSEGV, nullptr, &during) == 0);
  rt->reset();
  REQUIRE(sigaction(SIGSEGV, &before, &after) == 0);
  CHECK(good == 3);
  CHECK((during.sa_flags & SA_SIGINFO) != 0);  // wippy's, chaining to the marker
  CHECK((after.sa_flags & SA_SIGINFO) == 0);
  CHECK((after.sa_handler == marker_handler));
}

// A process forked after a call (a pre-forking server that warmed its
// Runtime first) calls on a loop of its own: the inherited one has no
// time-slice thread, so a call's time limit could not stop a guest there.
// The child's spinning call must end with the limit (a hang here is the
// failure: the parent gives up on the child after two minutes).
TEST_CASE("runtime threads: a child forked after a call calls on a loop of its own") {
  RegistryScratch s;
  s.copy_guest("typed.component.wasm");
  const std::string spin_entry = fmt::format(
      "  - name: spin\n    kind: function.wasm\n    fs: files\n    path: /typed.component.wasm\n"
      "    hash: sha256:{}\n    method: spin\n    imports: [wasi:cli, wasi:io, wasi:clocks, wasi:filesystem]\n"
      "    limits: {{max_execution_ms: 200}}\n",
      s.hash("typed.component.wasm"));
  auto rt = Runtime::load(s.write("th.yaml", greet_registry(s) + spin_entry));
  REQUIRE_MESSAGE(rt.ok(), (rt.ok() ? "" : rt.error().message));
  REQUIRE(greet_many(**rt, "parent", 2) == 2);
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    std::vector<Val> forever{Val::u32(0)};
    auto spun = (*rt)->call("th:spin", forever);
    const bool stopped = !spun.ok() && spun.error().kind == ErrorKind::Interrupted;
    const int good = greet_many(**rt, "child", 3);
    _exit(stopped && good == 3 ? 0 : 1);
  }
  int status = 0;
  pid_t done = 0;
  for (int i = 0; i < 2400 && (done = waitpid(child, &status, WNOHANG)) == 0; ++i) usleep(50 * 1000);
  if (done == 0) {
    kill(child, SIGKILL);
    waitpid(child, &status, 0);
    FAIL_CHECK("the child's spinning call was never stopped");
  } else {
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
  CHECK(greet_many(**rt, "parent-again", 2) == 2);
}

TEST_CASE("runtime workers: calls from four threads and from fibers share one Runtime's workers") {
  RegistryScratch s;
  s.copy_guest("typed.component.wasm");
  RuntimeOptions opts;
  opts.workers = 2;
  SUBCASE("the entry loaded by load()") { opts.load_on_first_use = false; }
  // By whichever of the four threads' first calls comes first; the others
  // wait for it.
  SUBCASE("the entry loaded at its first use") { opts.load_on_first_use = true; }
  auto rt = Runtime::load(s.write("th.yaml", greet_registry(s)), opts);
  REQUIRE_MESSAGE(rt.ok(), (rt.ok() ? "" : rt.error().message));
  constexpr int kCalls = 100;
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] { good += greet_many(**rt, fmt::format("t{}", t), kCalls); });
  for (auto& th : threads) th.join();
  CHECK(good.load() == 4 * kCalls);

  // From fibers of the embedder's own loop: each call parks its fiber only.
  int fiber_good = 0;
  auto loop_owner = wippy::testing::make_loop();
  disp::Loop& loop = *loop_owner;
  for (int f = 0; f < 8; ++f)
    loop.spawn([&, f] { fiber_good += greet_many(**rt, fmt::format("f{}", f), 10); });
  loop.run();
  CHECK(fiber_good == 80);

  // Each worker has its own pool (an inline pool is one instance each).
  REQUIRE((*rt)->warm("th:greet").ok());
  auto info = (*rt)->pool_info("th:greet");
  REQUIRE(info.ok());
  CHECK(info->capacity == 2);
  CHECK(info->live == 2);
  CHECK(greet_many(**rt, "after-warm", 5) == 5);
}

TEST_CASE("runtime workers: spawn() runs tasks on the workers; their calls stay there; the destructor waits") {
  RegistryScratch s;
  s.copy_guest("typed.component.wasm");
  const auto files = s.write("th.yaml", greet_registry(s));
  auto none = Runtime::load(files);
  REQUIRE(none.ok());
  auto refused = (*none)->spawn([] {});
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message.find("RuntimeOptions::workers") != std::string::npos);

  RuntimeOptions opts;
  opts.workers = 2;
  auto rt = Runtime::load(files, opts);
  REQUIRE_MESSAGE(rt.ok(), (rt.ok() ? "" : rt.error().message));
  std::atomic<int> good{0}, ran{0};
  Runtime* runtime = rt->get();
  for (int t = 0; t < 8; ++t)
    REQUIRE(runtime->spawn([&, t] {
      ++ran;
      good += greet_many(*runtime, fmt::format("task{}", t), 20);
    }).ok());
  rt->reset();  // waits for all eight tasks
  CHECK(ran.load() == 8);
  CHECK(good.load() == 160);
}
