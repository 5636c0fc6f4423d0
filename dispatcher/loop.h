// loop.h — one cooperative event loop per thread: fibers, timers, epoll.
// Contract:
//  * Loop::create() is the only way to make one; it reports failure as a
//    value, never by throwing.
//  * A Loop belongs to the thread that creates it. Every member must be
//    called on that thread, except post() and add_ref()/release_ref().
//  * spawn() creates a fiber (mmap'd stack with a guard page) that first
//    runs when run() schedules it. Fibers switch only at yield() and blocking
//    calls; a blocking call parks only the calling fiber. The blocking calls
//    (yield ... on_interrupt) act on the running fiber and return
//    Errc::not_in_fiber when there is none (this_fiber:: wraps them).
//  * run() returns Finished when no fibers remain, Stopped after stop(), or
//    Stalled when fibers remain but nothing can wake them (no timers, no fd
//    interest, no references held for post()).
//  * Cancellation is sticky: the fiber's current wait ends with
//    Errc::cancelled and every later one fails at once; its should-yield flag
//    is raised so guest code reaches the interrupt hook.
//  * Shutdown (~Loop, never from inside run()): fibers that never started
//    are dropped without running (their functions are destroyed). Every
//    other live fiber is cancelled and resumed so that it can unwind
//    normally (its destructors run). Fibers
//    still alive after kDrainRounds scheduling rounds — ones that ignore
//    Errc::cancelled and keep yielding — are abandoned: their waits are
//    unlinked and their stacks unmapped WITHOUT running the destructors of
//    objects on those stacks (heap memory they own leaks). FdWatch and
//    LoopTimer objects must be destroyed before their Loop.
//  * Thread-wide state: while run() (or the shutdown drain) executes, the
//    loop is published in a thread_local (Loop::current()); the running
//    fiber's stack bounds are published for the overflow handler.
//  * Process-wide state: every Loop is a user of the SIGSEGV handler of
//    overflow_guard.h, installed while any Loop exists in the process and
//    removed (the previous handler restored) when the last one is destroyed.
#pragma once
#include <sys/epoll.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <thread>
#include <unordered_map>
#include <vector>

#include "base/result.h"
#include "dispatcher/clock.h"
#include "dispatcher/context.h"
#include "dispatcher/errc.h"
#include "dispatcher/overflow_guard.h"
#include "dispatcher/pollable.h"
#include "dispatcher/stack.h"
#include "dispatcher/ticker.h"
#include "dispatcher/timer_heap.h"
#include "dispatcher/wait_list.h"

namespace wippy::disp {

struct Fiber;
class FdWatch;
class LoopTimer;

struct LoopOptions {
  size_t stack_size = 64 * 1024;  // usable bytes per fiber stack (rounded to pages)
  size_t guard_size = 4096;       // PROT_NONE bytes below it (at least one page)
  uint64_t time_slice_ns = 0;     // 0: no time slicing (deadlines still work)
  uint64_t tick_ns = 0;           // watchdog period; 0: slice/2, or 1 ms
  size_t stack_cache = 16;        // finished stacks kept for reuse while the loop waits
  // Finished stacks kept after a burst (fibers ending together, or a wave
  // of calls): those past stack_cache are unmapped once the cache has held
  // more than stack_cache for stack_trim_delay_ns without a stack being
  // taken or given back, when the loop waits with nothing to run (it wakes
  // for this), and when it leaves run(). Not each as its fiber ends: an
  // munmap is a TLB shootdown on every core running the process, and the
  // next burst would fault the same pages in afresh.
  size_t stack_burst = 1024;
  uint64_t stack_trim_delay_ns = 1'000'000'000;
};

struct SpawnOptions {
  size_t stack_size = 0;  // 0: the loop's default
  uint64_t deadline = 0;  // monotonic ns; 0: none
};

// Names a fiber; stays safe to use after the fiber is gone (then it is
// simply not alive). Default-constructed and failed-spawn handles are invalid.
struct FiberHandle {
  uint32_t slot = UINT32_MAX;
  uint32_t gen = 0;
  bool valid() const { return slot != UINT32_MAX; }
  friend bool operator==(const FiberHandle&, const FiberHandle&) = default;
};

struct PollResult {
  Errc err = Errc::ok;
  std::vector<uint32_t> ready;  // indices into the polled list, ascending
};

enum class RunResult : uint8_t { finished, stopped, stalled };

class Loop {
 public:
  static constexpr int kDrainRounds = 64;

  // The only way to make a Loop. Failure is a value, ErrorKind::Exhaustion
  // (no descriptors for epoll/eventfd, no thread for the time-slice ticker,
  // no memory; Error::sys_errno holds the errno where there is one).
  static Result<std::unique_ptr<Loop>> create(LoopOptions opts = {});
  ~Loop();
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;

  // The loop whose run() is executing on this thread, or nullptr.
  static Loop* current();
  // A token that expires when this loop is destroyed: unlike the loop's
  // address it is never reused, so a holder can tell its loop from a later
  // one made at the same place.
  std::weak_ptr<const void> token() const { return token_; }
  // True on the thread that made the loop (the one it belongs to).
  bool on_own_thread() const { return std::this_thread::get_id() == thread_; }

  // --- fibers -----------------------------------------------------------
  // Invalid handle if the stack cannot be mapped (each stack is two kernel
  // mappings, so the default vm.max_map_count of 65530 allows ~32k live
  // fibers per process), or if opts.deadline is set and the watchdog thread
  // cannot be started. An exception escaping fn
  // is reported on stderr and aborts the process (as with std::thread).
  FiberHandle spawn(std::function<void()> fn, SpawnOptions opts = {});
  bool alive(FiberHandle h) const;
  bool cancel(FiberHandle h);  // false if not alive
  size_t fiber_count() const { return live_; }
  size_t cached_stacks() const { return stack_cache_.size(); }
  // True while the time-slice thread sleeps because the loop is idle
  // (ticker.h); false when there is none.
  bool watchdog_parked() const { return ticker_ && ticker_->parked(); }

  RunResult run();
  // run() returns Stopped at its next turn: from a fiber, once that fiber
  // yields or blocks (no further fiber-to-fiber hand-offs happen first).
  void stop() {
    stop_ = true;
    budget_ = 0;
  }

  // --- cross-thread -----------------------------------------------------
  // Runs fn on the loop thread, in the loop context, soon. Thread-safe.
  void post(std::function<void()> fn);
  // While the count is non-zero, run() waits for posts instead of
  // reporting Stalled (e.g. a worker thread owes the loop a completion).
  void add_ref() { refs_.fetch_add(1, std::memory_order_relaxed); }
  void release_ref();

  // --- blocking calls (running fiber only) ------------------------------
  Errc yield();
  Errc sleep_until(uint64_t mono_ns);
  Errc sleep_for(uint64_t ns) { return sleep_until(deadline_after(ns)); }
  Errc wait_readable(int fd, uint64_t deadline = kNever) { return wait_fd(fd, false, deadline); }
  Errc wait_writable(int fd, uint64_t deadline = kNever) { return wait_fd(fd, true, deadline); }
  Errc block(Pollable& p);
  // Blocks until at least one is ready; returns every ready index. An empty
  // list returns at once with no indices.
  PollResult poll(std::span<Pollable* const> list);
  Errc join(FiberHandle h);  // waits until h is no longer alive

  // --- running fiber: identity, time slicing, deadlines -----------------
  FiberHandle self() const;
  bool in_fiber() const { return current_ != nullptr; }
  // The running fiber's should-yield flag: non-zero means "call the hook".
  // Stable for the fiber's lifetime; nullptr outside a fiber.
  volatile uint32_t* should_yield_flag();
  // Also raise *flag whenever the should-yield flag is raised (e.g. a
  // Store's interrupt word). nullptr detaches. The flag must outlive the
  // attachment.
  void attach_interrupt_flag(volatile uint32_t* flag);
  // 0 clears. If the watchdog thread cannot be started the deadline still
  // ends the fiber's blocking calls, but running guest code is not
  // interrupted until a later start succeeds.
  void set_deadline(uint64_t mono_ns);
  bool deadline_exceeded() const;
  bool cancelled() const;
  // The interpreter's interrupt hook: clears the flags, reports
  // cancellation or an exceeded deadline, otherwise yields and resumes.
  Interrupt on_interrupt();
  // The CPU time the running fiber has used on its thread since its first
  // call of this (0 then; nullopt outside a fiber). Counting is opt-in per
  // fiber because a thread CPU clock read is a system call: from the first
  // call on, each switch of this fiber in and out reads it.
  std::optional<uint64_t> cpu_time_ns();

 private:
  explicit Loop(LoopOptions opts);  // makes no system call: create() then open()s
  Result<void> open();              // epoll, eventfd, the ticker if time-sliced

  friend class Pollable;
  friend class Event;
  friend class FdWatch;
  friend class LoopTimer;

  struct Slot {
    Fiber* fiber = nullptr;
    uint32_t gen = 0;
  };
  struct FdState {
    int fd = -1;
    uint32_t registered = 0;    // epoll events currently registered
    bool always_ready = false;  // epoll refuses it (regular file): always ready
    WaitList readers;
    WaitList writers;
    FdWatch* watch = nullptr;
  };

  static void entry(void* arg);
  static void fiber_timer_fired(TimerNode& t);
  [[noreturn]] void finish(Fiber* f);

  Fiber* lookup(FiberHandle h) const;
  void push_run(Fiber* f);
  Fiber* pop_run();
  void enter(Fiber* f);
  void resume(Fiber* f);       // loop context -> f, back when the loop is switched to
  void switch_out(Fiber* f);   // f (running) -> next runnable or the loop
  Errc park(Fiber* f, uint64_t deadline);
  bool wake(Fiber* f, Errc why);
  void wake_list(WaitList& l);
  void reap(Fiber* f);
  void abandon(Fiber* f);
  void free_fiber(Fiber* f);
  bool start_ticker();  // false if the watchdog thread cannot be started
  void set_idle(bool idle);  // SliceShared::idle, waking a parked ticker
  void trim_stack_cache();   // down to opts_.stack_cache
  // Before a wait of timeout_ns (-1: none): trims the cache when its burst
  // is stack_trim_delay_ns old; returns the timeout, shortened to wake
  // when a burst still held falls due.
  int64_t trim_stack_cache_before_wait(int64_t timeout_ns);
  void run_round();

  Errc wait_fd(int fd, bool write, uint64_t deadline);
  FdState& fd_state(int fd);
  Errc fd_link(int fd, bool write, WaitNode& n);
  void fd_unlink(int fd, bool write, WaitNode& n);
  Errc fd_sync(FdState& s);
  void fd_maybe_erase(int fd);

  void poll_io(int64_t timeout_ns);
  void dispatch_events(int n);
  void run_posts();
  void fire_timers();

  LoopOptions opts_;
  int epfd_ = -1;
  int eventfd_ = -1;
  bool use_pwait2_ = true;
  void* loop_sp_ = nullptr;
  StackSpan loop_stack_ = thread_stack();  // the constructing thread's stack
  Fiber* current_ = nullptr;
  Fiber* runq_head_ = nullptr;
  Fiber* runq_tail_ = nullptr;
  size_t runq_size_ = 0;
  uint32_t budget_ = 0;  // direct fiber-to-fiber hand-offs left this round
  Fiber* zombie_ = nullptr;
  size_t live_ = 0;
  bool in_run_ = false;
  bool stop_ = false;
  bool shutting_down_ = false;

  TimerHeap timers_;
  std::vector<Slot> slots_;
  std::vector<uint32_t> free_slots_;
  std::unordered_map<int, std::unique_ptr<FdState>> fds_;
  size_t fd_interest_ = 0;  // FdStates with a non-empty epoll registration
  std::vector<FiberStack> stack_cache_;
  uint64_t stack_burst_ns_ = 0;  // when the cache, above stack_cache, was last used (now_ns)
  AltSignalStack altstack_;
  OverflowHandlerUse overflow_handler_;

  std::mutex post_mu_;
  std::vector<std::function<void()>> posts_;
  std::atomic<bool> has_posts_{false};
  std::atomic<int> refs_{0};

  SliceShared slice_;
  std::unique_ptr<Ticker> ticker_;

  epoll_event events_[64];
  std::shared_ptr<const int> token_ = std::make_shared<const int>(0);
  std::thread::id thread_ = std::this_thread::get_id();
};

}  // namespace wippy::disp
