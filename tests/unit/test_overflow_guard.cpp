// test_overflow_guard.cpp — the SIGSEGV handler of dispatcher/overflow_guard.h
// over its lifetime: installed while a Loop exists, the previous handler back
// after the last one, faults that are not fiber overflows chained to the
// previous handler, a handler installed over ours left alone, and a handler
// chaining back to ours not looping. Each case runs in a forked child (the
// signal disposition is process-wide; doctest installs its own handler).
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <functional>

#include "dispatcher/dispatcher.h"
#include "test_loop.h"

using namespace wippy::disp;

namespace {

constexpr int kMarkerExit = 42;
int g_chain_fd = -1;                   // where chain_back() reports each call
struct sigaction g_chain_next;         // the handler chain_back() forwards to

void marker_handler(int) { _exit(kMarkerExit); }

// Forwards to g_chain_next (our handler, in the cycle case) after writing one
// byte to g_chain_fd.
void chain_back(int sig, siginfo_t* info, void* uctx) {
  const char c = 'x';
  if (write(g_chain_fd, &c, 1) != 1) _exit(97);
  if (g_chain_next.sa_flags & SA_SIGINFO) g_chain_next.sa_sigaction(sig, info, uctx);
}

void set_handler(void (*fn)(int)) {
  struct sigaction sa;
  std::memset(&sa, 0, sizeof sa);
  sa.sa_handler = fn;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGSEGV, &sa, nullptr);
}

bool current_handler_is(void (*fn)(int)) {
  struct sigaction cur;
  if (sigaction(SIGSEGV, nullptr, &cur) != 0) return false;
  return !(cur.sa_flags & SA_SIGINFO) && cur.sa_handler == fn;
}

void fault() {
  volatile uintptr_t addr = 16;
  *reinterpret_cast<volatile int*>(addr) = 1;
}

// Runs body in a forked child and returns its wait status; body's return
// value is the child's exit status.
int run_in_child(const std::function<int()>& body) {
  fflush(nullptr);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    _exit(body());
  }
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  return status;
}

void check_exit(int status, int code) {
  CHECK_FALSE(WIFSIGNALED(status));
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == code);
}

}  // namespace

TEST_CASE("overflow guard: installed while a Loop exists, the previous handler is back after the last") {
  check_exit(run_in_child([] {
    set_handler(marker_handler);
    {
      auto a = wippy::testing::make_loop();
      if (current_handler_is(marker_handler)) return 1;  // not installed
      {
        auto b = wippy::testing::make_loop();
        if (current_handler_is(marker_handler)) return 2;
      }
      if (current_handler_is(marker_handler)) return 3;  // removed while `a` lives
    }
    if (!current_handler_is(marker_handler)) return 4;  // previous not restored
    auto c = wippy::testing::make_loop();  // and again
    if (current_handler_is(marker_handler)) return 5;
    return 0;
  }), 0);
}

TEST_CASE("overflow guard: other faults go to the previous handler, on the thread stack and in a fiber") {
  check_exit(run_in_child([] {
    set_handler(marker_handler);
    auto loop = wippy::testing::make_loop();
    fault();
    return 1;
  }), kMarkerExit);
  check_exit(run_in_child([] {
    set_handler(marker_handler);
    auto loop_owner = wippy::testing::make_loop();
    Loop& loop = *loop_owner;
    loop.spawn([] { fault(); });
    loop.run();
    return 1;
  }), kMarkerExit);
}

TEST_CASE("overflow guard: a handler installed over ours stays when the last Loop goes") {
  check_exit(run_in_child([] {
    {
      auto a = wippy::testing::make_loop();
      set_handler(marker_handler);
    }
    if (!current_handler_is(marker_handler)) return 1;
    fault();
    return 2;
  }), kMarkerExit);
}

TEST_CASE("overflow guard: a handler that chains back to ours is called once, then the fault kills") {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  const int status = run_in_child([&] {
    close(fds[0]);
    g_chain_fd = fds[1];
    auto a = wippy::testing::make_loop();  // ours, chaining to SIG_DFL
    sigaction(SIGSEGV, nullptr, &g_chain_next);
    struct sigaction sa;
    std::memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = chain_back;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, nullptr);  // chain_back -> ours
    auto b = wippy::testing::make_loop();  // ours again, chaining to chain_back
    fault();
    return 1;
  });
  close(fds[1]);
  char buf[64];
  size_t calls = 0;
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0) calls += static_cast<size_t>(n);
  close(fds[0]);
  CHECK(WIFSIGNALED(status));
  if (WIFSIGNALED(status)) CHECK(WTERMSIG(status) == SIGSEGV);
  CHECK(calls == 1);
}
