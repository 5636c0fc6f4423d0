// Unit tests for dispatcher/: context switch, scheduling, timers, fd waits,
// Pollables, cancellation, time slicing, guard pages, shutdown.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cfenv>
#include <chrono>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "dispatcher/cross_wake.h"
#include "dispatcher/dispatcher.h"
#include "dispatcher/timer_heap.h"
#include "test_loop.h"

using namespace wippy::disp;

namespace {

constexpr uint64_t kMs = 1000000;

struct Pipe {
  int r = -1, w = -1;
  Pipe() {
    int fds[2];
    REQUIRE(pipe2(fds, O_NONBLOCK | O_CLOEXEC) == 0);
    r = fds[0];
    w = fds[1];
  }
  ~Pipe() {
    close(r);
    close(w);
  }
};

#if defined(__x86_64__)
// wippy_test_regs_across(fn, arg, seed): loads rbx, rbp, r12–r15 with
// seed+1 … seed+6, calls fn(arg), and returns a bit mask of the registers
// that no longer hold their value afterwards (0 = all preserved).
extern "C" uint64_t wippy_test_regs_across(void (*fn)(void*), void* arg, uint64_t seed);
asm(R"(
        .text
        .globl  wippy_test_regs_across
        .type   wippy_test_regs_across, @function
wippy_test_regs_across:
        pushq   %rbp
        pushq   %rbx
        pushq   %r12
        pushq   %r13
        pushq   %r14
        pushq   %r15
        pushq   %rdx
        movq    %rdi, %rax
        movq    %rsi, %rdi
        leaq    1(%rdx), %rbx
        leaq    2(%rdx), %rbp
        leaq    3(%rdx), %r12
        leaq    4(%rdx), %r13
        leaq    5(%rdx), %r14
        leaq    6(%rdx), %r15
        callq   *%rax
        popq    %rdx
        xorl    %eax, %eax
        // lost REG, K, BIT: sets BIT in eax unless REG still holds seed+K.
        .macro  lost reg, k, bit
        leaq    \k(%rdx), %rcx
        cmpq    %rcx, \reg
        je      1f
        orl     $\bit, %eax
1:
        .endm
        lost    %rbx, 1, 1
        lost    %rbp, 2, 2
        lost    %r12, 3, 4
        lost    %r13, 4, 8
        lost    %r14, 5, 16
        lost    %r15, 6, 32
        .purgem lost
        popq    %r15
        popq    %r14
        popq    %r13
        popq    %r12
        popq    %rbx
        popq    %rbp
        ret
        .size   wippy_test_regs_across, .-wippy_test_regs_across
        .section .note.GNU-stack,"",@progbits
        .text
)");

uint32_t read_mxcsr() {
  uint32_t v;
  asm volatile("stmxcsr %0" : "=m"(v));
  return v;
}
uint16_t read_x87cw() {
  uint16_t v;
  asm volatile("fnstcw %0" : "=m"(v));
  return v;
}
void yield_three_times(void*) {
  for (int i = 0; i < 3; ++i) (void)this_fiber::yield();
}
#endif

[[gnu::noinline]] int deep_recursion(int n) {
  volatile char buf[512];
  buf[0] = static_cast<char>(n);
  buf[511] = 1;
  if (n < 0) return 0;
  return deep_recursion(n + 1) + buf[0] + buf[511];
}

struct Counted {
  int* count;
  explicit Counted(int* c) : count(c) {}
  ~Counted() { ++*count; }
};

}  // namespace

TEST_CASE("dispatcher: timer heap pops in deadline order and supports removal") {
  std::mt19937 rng(7);
  std::vector<TimerNode> nodes(500);
  TimerHeap h;
  for (auto& n : nodes) h.push(n, rng() % 1000);
  for (size_t i = 0; i < nodes.size(); i += 3) h.remove(nodes[i]);
  CHECK(h.size() == nodes.size() - (nodes.size() + 2) / 3);
  uint64_t last = 0, last_seq = 0;
  size_t popped = 0;
  while (TimerNode* t = h.top()) {
    CHECK(t->deadline >= last);
    if (t->deadline == last && popped > 0) CHECK(t->seq > last_seq);
    last = t->deadline;
    last_seq = t->seq;
    h.pop();
    CHECK(!t->queued());
    ++popped;
  }
  CHECK(popped == nodes.size() - (nodes.size() + 2) / 3);
}

TEST_CASE("dispatcher: calls outside a fiber report not_in_fiber") {
  CHECK(this_fiber::yield() == Errc::not_in_fiber);
  CHECK(this_fiber::sleep_for(1) == Errc::not_in_fiber);
  CHECK(!this_fiber::in_fiber());
  const bool no_flag = this_fiber::should_yield_flag() == nullptr;
  CHECK(no_flag);
  auto p = Pollable::manual();
  CHECK(this_fiber::block(p) == Errc::not_in_fiber);
  auto loop_owner = wippy::testing::make_loop();
  Loop& loop = *loop_owner;
  CHECK(loop.yield() == Errc::not_in_fiber);
  CHECK(loop.run() == RunResult::finished);  // no fibers
}

#if defined(__x86_64__)
TEST_CASE("dispatcher: context switch preserves callee-saved registers and FP control") {
  auto loop_owner = wippy::testing::make_loop();
  Loop& loop = *loop_owner;
  uint64_t mask_a = 99, mask_b = 99;
  uint32_t mx_a = 0, mx_b = 0;
  uint16_t cw_a = 0, cw_b = 0;
  int fresh_round = -1;
  const uint32_t main_mxcsr = read_mxcsr();
  const uint16_t main_cw = read_x87cw();
  loop.spawn([&] {
    REQUIRE(std::fesetround(FE_DOWNWARD) == 0);
    mask_a = wippy_test_regs_across(&yield_three_times, nullptr, 0x1111111111111100ull);
    mx_a = read_mxcsr();
    cw_a = read_x87cw();
    // A fiber spawned from here starts with default FP control state.
    Loop::current()->spawn([&] { fresh_round = std::fegetround(); });
    (void)this_fiber::yield();
  });
  loop.spawn([&] {
    REQUIRE(std::fesetround(FE_TOWARDZERO) == 0);
    mask_b = wippy_test_regs_across(&yield_three_times, nullptr, 0x2222222222222200ull);
    mx_b = read_mxcsr();
    cw_b = read_x87cw();
  });
  CHECK(loop.run() == RunResult::finished);
  CHECK(mask_a == 0);
  CHECK(mask_b == 0);
  CHECK((mx_a & 0x6000u) == 0x2000u);  // MXCSR RC = round down
  CHECK((mx_b & 0x6000u) == 0x6000u);  // MXCSR RC = toward zero
  CHECK((cw_a & 0x0C00u) == 0x0400u);  // x87 RC = round down
  CHECK((cw_b & 0x0C00u) == 0x0C00u);  // x87 RC = toward zero
  CHECK(fresh_round == FE_TONEAREST);
  CHECK(read_mxcsr() == main_mxcsr);  // the loop's own context is untouched
  CHECK(read_x87cw() == main_cw);
}
#endif

TEST_CASE("dispatcher: FP rounding mode is per fiber") {
  auto loop_owner = wippy::testing::make_loop();
  Loop& loop = *loop_owner;
  int seen_a = -1, seen_b = -1;
  loop.spawn([&] {
    std::fesetround(FE_UPWARD);
    for (int i = 0; i < 5; ++i) (void)this_fiber::yield();
    seen_a = std::fegetround();
  });
  loop.spawn([&] {
    std::fesetround(FE_DOWNWARD);
    for (int i = 0; i < 5; ++i) (void)this_fiber::yield();
    seen_b = std::fegetround();
  });
  loop.run();
  CHECK(seen_a == FE_UPWARD);
  CHECK(seen_b == FE_DOWNWARD);
  CHECK(std::fegetround() == FE_TONEAREST);
}

TEST_CASE("dispatcher: 1000 fibers ping-pong through yield in round-robin order") {
  auto loop_owner = wippy::testing::make_loop();
  Loop& loop = *loop_owner;
  constexpr int kFibers = 1000, kRounds = 10;
  std::vector<int> log;
  log.reserve(kFibers * kRounds);
  for (int i = 0; i < kFibers; ++i) {
    FiberHandle h = loop.spawn([&log, i] {
      for (int r = 0; r < kRounds; ++r) {
        log.push_back(i);
        CHECK(this_fiber::yield() == Errc::ok);
      }
    });
    REQUIRE(h.valid());
  }
  CHECK(loop.fiber_count() == kFibers);
  CHECK(loop.run() == RunResult::finished);
  CHECK(loop.fiber_count() == 0);
  REQUIRE(log.size() == size_t(kFibers) * kRounds);
  size_t out_of_order = 0;
  for (size_t k = 0; k < log.size(); ++k)
    if (log[k] != int(k % kFibers)) ++out_of_order;
  CHECK(out_of_order == 0);
}

TEST_CASE("dispatcher: sleepers wake in deadline order") {
  auto loop_owner = wippy::testing::make_loop();
  Loop& loop = *loop_owner;
  std::vector<int> order;
  const uint64_t start = now_ns();
  // Absolute deadlines 50 ms apart, fixed before any fiber runs: the order
  // does not depend on when each fiber gets to park.
  for (int ms : {150, 100, 50}) {
    loop.spawn([&order, ms, start] {
      CHECK(this_fiber::sleep_until(start + uint64_t(ms) * kMs) == Errc::ok);
      order.push_back(ms);
    });
  }
  CHECK(loop.run() == RunResult::finished);
  CHECK(order == std::vector<int>{50, 100, 150});
  CHECK(now_ns() - start >= 150 * kMs);
}

TEST_CASE("dispatcher: a reader parked on wait_readable wakes when a writer fiber writes") {
  auto loop_owner = wippy::testing::make_loop();
  Loop& loop = *loop_owner;
  Pipe p;
  std::vector<std::string> log;
  std::string got;
  loop.spawn([&] {
    char buf[16];
    CHECK(read(p.r, buf, sizeof buf) == -1);  // empty: EAGAIN
    log.push_back("reader parks");
    CHECK(this_fiber::wait_readable(p.r) == Errc::ok);
    ssize_t n = read(p.r, buf, sizeof buf);
    REQUIRE(n > 0);
    got.assign(buf, size_t(n));
    log.push_back("reader woke");
  });
  loop.spawn([&] {
    CHECK(this_fiber::sleep_for(20 * kMs) == Errc::ok);
    log.push_back("writer writes");
    CHECK(this_fiber::wait_writable(p.w) == Errc::ok);
    CHECK(write(p.w, "ping", 4) == 4);
  });
  CHECK(loop.run() == RunResult::finished);
  CHECK(got == "ping");
  CHECK(log == std::vector<std::string>{"reader parks", "writer writes", "reader woke"});
}

TEST_CASE("dispatcher: wait_readable with a deadline times out; bad fds are reported") {
  auto loop_owner = wippy::testing::make_loop();
  Loop& loop = *loop_owner;
  Pipe p;
  Errc timed = Errc::ok, bad = Errc::ok;
  uint64_t waited = 0;
  loop.spawn([&] {
    const uint64_t t0 = now_ns();
    timed = this_fiber::wait_readable(p.r, deadline_after(15 * kMs));
    waited = now_ns() - t0;
    bad = this_fiber::wait_readable(-1);
  });
  loop.run();
  CHECK(timed == Errc::timed_out);
  CHECK(waited >= 15 * kMs);
  CHECK(bad == Errc::bad_fd);
}

TEST_CASE("dispatcher: poll over a list of pollables returns the ready indices") {
  auto loop_owner = wippy::testing::make_loop();
  Loop& loop = *loop_owner;
  Pipe p;
  auto manual = Pollable::manual();
  auto far = Pollable::after(5000 * kMs);
  auto readable = Pollable::readable(p.r);
  std::vector<Pollable*> list{&manual, &far, &readable};
  std::vector<std::vector<uint32_t>> results;
  CHECK(!manual.ready());
  CHECK(!readable.ready());
  CHECK(!far.ready());
  loop.spawn([&] {
    // 1. woken by notify() from another fiber
    auto r = this_fiber::poll(list);
    CHECK(r.err == Errc::ok);
    results.push_back(r.ready);
    manual.reset();
    // 2. woken by the pipe
    r = this_fiber::poll(list);
    CHECK(r.err == Errc::ok);
    results.push_back(r.ready);
    // 3. already ready: both the pipe (still unread) and the manual one
    manual.notify();
    r = this_fiber::poll(list);
    results.push_back(r.ready);
    // 4. a near deadline
    auto near = Pollable::after(10 * kMs);
    manual.reset();
    char buf[8];
    CHECK(read(p.r, buf, sizeof buf) == 1);
    Pollable* two[] = {&manual, &near};
    const uint64_t t0 = now_ns();
    r = this_fiber::poll(two);
    CHECK(now_ns() - t0 >= 10 * kMs);
    results.push_back(r.ready);
    CHECK(this_fiber::block(near) == Errc::ok);
    CHECK(near.ready());
  });
  loop.spawn([&] {
    CHECK(this_fiber::sleep_for(5 * kMs) == Errc::ok);
    manual.notify();
    CHECK(this_fiber::sleep_for(10 * kMs) == Errc::ok);
    CHECK(write(p.w, "x", 1) == 1);
  });
  CHECK(loop.run() == RunResult::finished);
  REQUIRE(results.size() == 4);
  CHECK(results[0] == std::vector<uint32_t>{0});
  CHECK(results[1] == std::vector<uint32_t>{2});
  CHECK(results[2] == std::vector<uint32_t>{0, 2});
  CHECK(results[3] == std::vector<uint32_t>{1});
  CHECK(!manual.event()->has_waiters());
}

TEST_CASE("dispatcher: cancelling a sleeping fiber wakes it with cancelled") {
  auto loop_owner = wippy::testing::make_loop();
  Loop& loop = *loop_owner;
  Errc first = Errc::ok, second = Errc::ok, third = Errc::ok;
  FiberHandle sleeper = loop.spawn([&] {
    first = this_fiber::sleep_for(10000 * kMs);
    second = this_fiber::sleep_for(1);  // sticky
    third = this_fiber::yield();
    CHECK(this_fiber::cancelled());
  });
  bool cancel_ok = false, cancel_again = true;
  loop.spawn([&] {
    CHECK(this_fiber::sleep_for(10 * kMs) == Errc::ok);
    CHECK(loop.alive(sleeper));
    cancel_ok = loop.cancel(sleeper);
    CHECK(this_fiber::join(sleeper) == Errc::ok);
    cancel_again = loop.cancel(sleeper);
  });
  CHECK(loop.run() == RunResult::finished);
  CHECK(cancel_ok);
  CHECK(!cancel_again);  // already gone
  CHECK(first == Errc::cancelled);
  CHECK(second == Errc::cancelled);
  CHECK(third == Errc::cancelled);
  CHECK(!loop.alive(sleeper));
}

TEST_CASE("dispatcher: join waits for another fiber; handles stay safe after exit") {
  auto loop_owner = wippy::testing::make_loop();
  Loop& loop = *loop_owner;
  std::vector<int> order;
  loop.spawn([&] {
    FiberHandle child = Loop::current()->spawn([&] {
      CHECK(this_fiber::sleep_for(5 * kMs) == Errc::ok);
      order.push_back(1);
    });
    CHECK(this_fiber::join(child) == Errc::ok);
    order.push_back(2);
    CHECK(!Loop::current()->alive(child));
    CHECK(this_fiber::join(child) == Errc::ok);  // already finished
    // The slot is reused by the next fiber; the old handle stays dead.
    FiberHandle next = Loop::current()->spawn([] {});
    CHECK(next.slot == child.slot);
    CHECK(!(next == child));
    CHECK(!Loop::current()->alive(child));
    CHECK(Loop::current()->alive(next));
  });
  loop.run();
  CHECK(order == std::vector<int>{1, 2});
}

TEST_CASE("dispatcher: run reports stalled when every fiber waits on nothing that can fire") {
  Errc result = Errc::ok;
  {
    auto never = Pollable::manual();
    auto loop_owner = wippy::testing::make_loop();
    Loop& loop = *loop_owner;
    loop.spawn([&] { result = this_fiber::block(never); });
    CHECK(loop.run() == RunResult::stalled);
    CHECK(loop.fiber_count() == 1);
  }
  CHECK(result == Errc::cancelled);  // the shutdown cancelled it
}

TEST_CASE("dispatcher: stop makes run return; run resumes where it left off") {
  auto loop_owner = wippy::testing::make_loop();
  Loop& loop = *loop_owner;
  int steps = 0;
  loop.spawn([&] {
    ++steps;
    Loop::current()->stop();
    (void)this_fiber::yield();
    ++steps;
  });
  CHECK(loop.run() == RunResult::stopped);
  CHECK(steps == 1);
  CHECK(loop.run() == RunResult::finished);
  CHECK(steps == 2);
}

TEST_CASE("dispatcher: shutdown with parked fibers cancels and unwinds them") {
  int destroyed = 0;
  int spinner_destroyed = 0;
  std::vector<Errc> results;
  auto manual = Pollable::manual();
  Pipe p;
  {
    auto loop_owner = wippy::testing::make_loop();
    Loop& loop = *loop_owner;
    loop.spawn([&] {
      Counted c(&destroyed);
      results.push_back(this_fiber::sleep_until(kNever));
      results.push_back(this_fiber::sleep_for(1));  // fails at once
    });
    loop.spawn([&] {
      Counted c(&destroyed);
      results.push_back(this_fiber::wait_readable(p.r));
    });
    loop.spawn([&] {
      Counted c(&destroyed);
      results.push_back(this_fiber::block(manual));
    });
    loop.spawn([&] {
      // Ignores cancellation forever: abandoned without unwinding.
      Counted c(&spinner_destroyed);
      for (;;) (void)this_fiber::yield();
    });
    loop.spawn([&] {
      CHECK(this_fiber::sleep_for(10 * kMs) == Errc::ok);
      Loop::current()->stop();
    });
    CHECK(loop.run() == RunResult::stopped);
    CHECK(loop.fiber_count() == 4);
  }
  CHECK(destroyed == 3);
  CHECK(spinner_destroyed == 0);  // documented: abandoned frames are not unwound
  CHECK(results.size() == 4);
  CHECK(std::count(results.begin(), results.end(), Errc::cancelled) == 4);
  CHECK(!manual.event()->has_waiters());
}

TEST_CASE("dispatcher: shutdown drops fibers that never started without running them") {
  int ran = 0, captures_destroyed = 0;
  {
    auto loop_owner = wippy::testing::make_loop();
    Loop& loop = *loop_owner;
    auto token = std::make_shared<Counted>(&captures_destroyed);
    loop.spawn([&ran, token] { ++ran; });
    loop.spawn([&ran, token] { ++ran; });
    token.reset();
    CHECK(loop.fiber_count() == 2);
  }
  CHECK(ran == 0);
  CHECK(captures_destroyed == 1);
}

TEST_CASE("dispatcher: time slice raises the should-yield flag of a busy fiber") {
  LoopOptions opts;
  opts.time_slice_ns = 5 * kMs;
  auto loop_owner = wippy::testing::make_loop(opts);
  Loop& loop = *loop_owner;
  volatile uint32_t store_interrupt = 0;
  bool flagged = false, external = false, other_ran_after = false;
  Interrupt what = Interrupt::cancelled;
  bool busy_done = false;
  loop.spawn([&] {
    volatile uint32_t* flag = this_fiber::should_yield_flag();
    const bool have_flag = flag != nullptr;
    REQUIRE(have_flag);
    this_fiber::attach_interrupt_flag(&store_interrupt);
    const uint64_t give_up = deadline_after(5000 * kMs);
    while (*flag == 0 && now_ns() < give_up) {
    }
    flagged = *flag != 0;
    external = store_interrupt != 0;
    what = this_fiber::on_interrupt();  // yields to the other fiber
    CHECK(*flag == 0);
    CHECK(store_interrupt == 0);
    this_fiber::attach_interrupt_flag(nullptr);
    busy_done = true;
  });
  loop.spawn([&] { other_ran_after = !busy_done; });
  loop.run();
  CHECK(flagged);
  CHECK(external);
  CHECK(what == Interrupt::resume);
  CHECK(other_ran_after);
}

namespace {

// Spins on the running fiber until its should-yield flag is raised (or 5 s
// pass, a hang guard); true when it was raised.
bool spin_until_flagged() {
  volatile uint32_t* flag = this_fiber::should_yield_flag();
  if (flag == nullptr) return false;
  const uint64_t give_up = deadline_after(5000 * kMs);
  while (*flag == 0 && now_ns() < give_up) {
  }
  const bool raised = *flag != 0;
  (void)this_fiber::on_interrupt();
  return raised;
}

// Waits (up to 5 s) for `loop`'s time-slice thread to park.
bool parks_within_5s(const Loop& loop) {
  const uint64_t give_up = deadline_after(5000 * kMs);
  while (!loop.watchdog_parked() && now_ns() < give_up) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  return loop.watchdog_parked();
}

}  // namespace

// ticker.h: an idle loop's watchdog stops waking; a loop that runs again,
// or wakes from a blocking wait, has it watch its fibers again.
TEST_CASE("dispatcher: an idle loop's time-slice thread parks, and wakes when the loop runs again") {
  LoopOptions opts;
  opts.time_slice_ns = 5 * kMs;
  auto loop_owner = wippy::testing::make_loop(opts);
  Loop& loop = *loop_owner;
  loop.spawn([] {});
  loop.run();
  CHECK(parks_within_5s(loop));  // outside run()
  bool flagged = false;
  loop.spawn([&] { flagged = spin_until_flagged(); });
  loop.run();
  CHECK(flagged);

  // Blocked in run(), waiting for a post: it parks, and the fiber the post
  // wakes is watched again.
  Pollable go = Pollable::manual();
  bool parked_seen = false, flagged_after_wait = false;
  loop.add_ref();  // run() waits for the watcher's post
  std::thread watcher([&] {
    parked_seen = parks_within_5s(loop);
    loop.post([&] {
      go.notify();
      loop.release_ref();
    });
  });
  loop.spawn([&] {
    (void)this_fiber::block(go);
    flagged_after_wait = spin_until_flagged();
  });
  loop.run();
  watcher.join();
  CHECK(parked_seen);
  CHECK(flagged_after_wait);
}

TEST_CASE("dispatcher: a fiber deadline raises the flag and fails waits with deadline_exceeded") {
  auto loop_owner = wippy::testing::make_loop();
  Loop& loop = *loop_owner;
  bool flagged = false, exceeded_before = true, exceeded_after = false;
  Interrupt what = Interrupt::resume;
  Errc sleep_result = Errc::ok;
  loop.spawn([&] {
    this_fiber::set_deadline(deadline_after(20 * kMs));
    exceeded_before = this_fiber::deadline_exceeded();
    volatile uint32_t* flag = this_fiber::should_yield_flag();
    const uint64_t give_up = deadline_after(5000 * kMs);
    while (*flag == 0 && now_ns() < give_up) {
    }
    flagged = *flag != 0;
    exceeded_after = this_fiber::deadline_exceeded();
    what = this_fiber::on_interrupt();
  });
  loop.spawn([&] {
    this_fiber::set_deadline(deadline_after(10 * kMs));
    sleep_result = this_fiber::sleep_for(10000 * kMs);
  });
  loop.run();
  CHECK(!exceeded_before);
  CHECK(flagged);
  CHECK(exceeded_after);
  CHECK(what == Interrupt::deadline_exceeded);
  CHECK(sleep_result == Errc::deadline_exceeded);
}

TEST_CASE("dispatcher: FdWatch and LoopTimer drive a resolver-style callback flow") {
  auto loop_owner = wippy::testing::make_loop();
  Loop& loop = *loop_owner;
  Pipe p;
  std::string received;
  int callbacks = 0;
  auto answer = Pollable::manual();
  FdWatch watch(loop, p.r, [&](int fd, bool readable, bool writable) {
    ++callbacks;
    CHECK(readable);
    CHECK(!writable);
    char buf[16];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0) received.append(buf, size_t(n));
    if (received == "dns") {
      (void)watch.set_interest(false, false);
      answer.notify();
    }
  });
  CHECK(watch.set_interest(true, false) == Errc::ok);
  FdWatch second(loop, p.r, [](int, bool, bool) {});
  CHECK(second.set_interest(true, false) == Errc::system);  // one watch per fd
  bool timer_fired = false;
  LoopTimer timeout(loop, [&] {
    timer_fired = true;
    CHECK(write(p.w, "dns", 3) == 3);
  });
  timeout.arm(deadline_after(10 * kMs));
  CHECK(timeout.armed());
  Errc waited = Errc::system;
  loop.spawn([&] { waited = this_fiber::block(answer); });
  CHECK(loop.run() == RunResult::finished);
  CHECK(timer_fired);
  CHECK(!timeout.armed());
  CHECK(waited == Errc::ok);
  CHECK(received == "dns");
  CHECK(callbacks >= 1);
}

TEST_CASE("dispatcher: post from another thread wakes a parked fiber") {
  auto loop_owner = wippy::testing::make_loop();
  Loop& loop = *loop_owner;
  auto done = Pollable::manual();
  std::atomic<bool> ran_on_loop_thread{false};
  const auto loop_thread = std::this_thread::get_id();
  Errc waited = Errc::system;
  loop.spawn([&] { waited = this_fiber::block(done); });
  loop.add_ref();
  std::thread worker([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    loop.post([&] {
      ran_on_loop_thread = std::this_thread::get_id() == loop_thread;
      done.notify();
      loop.release_ref();
    });
  });
  CHECK(loop.run() == RunResult::finished);
  worker.join();
  CHECK(waited == Errc::ok);
  CHECK(ran_on_loop_thread.load());
}

TEST_CASE("dispatcher: custom stack sizes and many parked fibers") {
  auto loop_owner = wippy::testing::make_loop();
  Loop& loop = *loop_owner;
  int done = 0;
  FiberHandle big = loop.spawn([&] {
    volatile char buf[200 * 1024];
    buf[0] = 1;
    buf[sizeof buf - 1] = 1;
    done += buf[0];
  }, SpawnOptions{256 * 1024, 0});
  CHECK(big.valid());
  for (int i = 0; i < 2000; ++i)
    loop.spawn([&] {
      CHECK(this_fiber::sleep_for(1 * kMs) == Errc::ok);
      ++done;
    });
  CHECK(loop.run() == RunResult::finished);
  CHECK(done == 2001);
}

TEST_CASE("dispatcher: stack overflow in a fiber is reported (forked child)") {
  int errpipe[2];
  REQUIRE(pipe(errpipe) == 0);
  fflush(nullptr);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    dup2(errpipe[1], 2);
    close(errpipe[0]);
    signal(SIGSEGV, SIG_DFL);  // drop doctest's crash handler in the child
    auto loop_owner = wippy::testing::make_loop();
    Loop& loop = *loop_owner;
    loop.spawn([] { (void)deep_recursion(0); });
    loop.run();
    _exit(0);
  }
  close(errpipe[1]);
  std::string err;
  char buf[256];
  ssize_t n;
  while ((n = read(errpipe[0], buf, sizeof buf)) > 0) err.append(buf, size_t(n));
  close(errpipe[0]);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == kStackOverflowExitStatus);
  CHECK(err.find("fiber stack overflow") != std::string::npos);
}

TEST_CASE("dispatcher: other segfaults still kill with SIGSEGV (forked child)") {
  fflush(nullptr);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 2);
    signal(SIGSEGV, SIG_DFL);
    auto loop_owner = wippy::testing::make_loop();
    Loop& loop = *loop_owner;
    loop.spawn([] {
      volatile uintptr_t addr = 16;
      *reinterpret_cast<volatile int*>(addr) = 1;
    });
    loop.run();
    _exit(0);
  }
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  CHECK(WIFSIGNALED(status));
  if (WIFSIGNALED(status)) CHECK(WTERMSIG(status) == SIGSEGV);
}

// cross_wake.h: a plain thread's wait, with and without watching the flag
// first, returns only once signalled, and sees what the signaller wrote.
TEST_CASE("dispatcher: a CrossWake waited on by a plain thread returns once signalled, spinning or not") {
  for (uint64_t spin_ns : {uint64_t(0), uint64_t(50'000), uint64_t(5'000'000'000)}) {
    CAPTURE(spin_ns);
    {
      wippy::disp::CrossWake wake;
      wake.signal();  // before the wait
      wake.wait(spin_ns);
    }
    for (int delay_ms : {0, 20}) {
      CAPTURE(delay_ms);
      wippy::disp::CrossWake wake;
      int written = 0;
      std::thread t([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
        written = 42;
        wake.signal();
      });
      wake.wait(spin_ns);
      CHECK(written == 42);
      t.join();
    }
  }
}

// Fibers that end together keep their stacks (up to stack_burst) while
// others still run; with no trim delay the loop unmaps those past
// stack_cache when it next waits, and when it leaves run(); a later burst
// reuses what is kept.
TEST_CASE("dispatcher: a burst's stacks are kept until the loop waits, then trimmed to the cache") {
  LoopOptions o;
  o.stack_cache = 2;
  o.stack_burst = 8;
  o.stack_trim_delay_ns = 0;
  auto loop_owner = wippy::testing::make_loop(o);
  Loop& loop = *loop_owner;
  size_t while_busy = 0, after_wait = 0;
  for (int i = 0; i < 12; ++i) CHECK(loop.spawn([] {}).valid());
  CHECK(loop.spawn([&] {
    (void)this_fiber::yield();  // the 12 have ended by now, the loop never waited
    while_busy = loop.cached_stacks();
    CHECK(this_fiber::sleep_for(5'000'000) == Errc::ok);  // the loop waits
    after_wait = loop.cached_stacks();
  }).valid());
  CHECK(loop.run() == RunResult::finished);
  CHECK(while_busy == 8);  // stack_burst of the 12
  CHECK(after_wait == 2);  // stack_cache
  CHECK(loop.cached_stacks() == 2);

  // The next burst takes the kept stacks first, then maps more; at the end
  // of run() the cache is trimmed again.
  size_t seen = 0;
  for (int i = 0; i < 6; ++i) CHECK(loop.spawn([&] { ++seen; }).valid());
  CHECK(loop.cached_stacks() == 0);
  CHECK(loop.run() == RunResult::finished);
  CHECK(seen == 6);
  CHECK(loop.cached_stacks() == 2);
}

// With a trim delay, waits shorter than it keep the burst's stacks (the
// next wave of calls reuses them: no unmap, no fresh pages); the loop
// wakes when the delay has passed and trims then; leaving run() trims
// whatever is left.
TEST_CASE("dispatcher: a burst's stacks outlive waits shorter than the trim delay") {
  LoopOptions o;
  o.stack_cache = 2;
  o.stack_burst = 8;
  o.stack_trim_delay_ns = UINT64_MAX;  // never during run()
  auto loop_owner = wippy::testing::make_loop(o);
  Loop& loop = *loop_owner;
  size_t after_wait = 0, reused = 0;
  for (int i = 0; i < 12; ++i) CHECK(loop.spawn([] {}).valid());
  CHECK(loop.spawn([&] {
    CHECK(this_fiber::sleep_for(2'000'000) == Errc::ok);  // the loop waits, twice
    CHECK(this_fiber::sleep_for(2'000'000) == Errc::ok);
    after_wait = loop.cached_stacks();
    // A second burst takes them back.
    for (int i = 0; i < 5; ++i) CHECK(loop.spawn([] {}).valid());
    reused = loop.cached_stacks();
  }).valid());
  CHECK(loop.run() == RunResult::finished);
  CHECK(after_wait == 8);
  CHECK(reused == 3);
  CHECK(loop.cached_stacks() == 2);  // run() returned: trimmed

  // A delay shorter than a wait: the loop trims during the wait (it wakes
  // for the trim; the fiber's own sleep is longer).
  o.stack_trim_delay_ns = 1'000'000;
  auto short_owner = wippy::testing::make_loop(o);
  Loop& quick = *short_owner;
  size_t during = 99;
  for (int i = 0; i < 12; ++i) CHECK(quick.spawn([] {}).valid());
  CHECK(quick.spawn([&] {
    (void)this_fiber::yield();
    CHECK(quick.cached_stacks() == 8);
    CHECK(this_fiber::sleep_for(50'000'000) == Errc::ok);  // at least 50 ms: past the 1 ms delay
    during = quick.cached_stacks();
  }).valid());
  CHECK(quick.run() == RunResult::finished);
  CHECK(during == 2);
}
