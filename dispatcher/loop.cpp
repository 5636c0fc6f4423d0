// loop.cpp — scheduling, parking and waking, shutdown for Loop.
// (epoll, timers and posts are in loop_io.cpp; fibers' blocking calls and
// Pollable waits in loop_wait.cpp.)
#include "dispatcher/loop.h"

#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <new>
#include <system_error>

#include <fmt/format.h>

#include "dispatcher/context.h"
#include "dispatcher/fiber.h"

namespace wippy::disp {

namespace {

// The loop whose run() (or shutdown drain) is executing on this thread.
thread_local Loop* tl_loop = nullptr;

constexpr uint32_t kMinBudget = 32;

StackSpan stack_span(const Fiber& f) {
  const StackRange& r = f.stack.range();
  return StackSpan{reinterpret_cast<const void*>(r.usable_lo), r.hi - r.usable_lo};
}

class PublishLoop {
 public:
  explicit PublishLoop(Loop* l) : prev_(tl_loop) { tl_loop = l; }
  ~PublishLoop() { tl_loop = prev_; }
  PublishLoop(const PublishLoop&) = delete;
  PublishLoop& operator=(const PublishLoop&) = delete;

 private:
  Loop* prev_;
};

}  // namespace

Loop* Loop::current() { return tl_loop; }

Loop::Loop(LoopOptions opts) : opts_(opts) {
  opts_.stack_size = round_to_pages(opts_.stack_size != 0 ? opts_.stack_size : 64 * 1024);
  opts_.guard_size = round_to_pages(opts_.guard_size != 0 ? opts_.guard_size : 1);
}

namespace {

Error loop_error(int err, const char* what) {
  Error e = make_error(ErrorKind::Exhaustion, fmt::format("cannot create an event loop: {}: {}", what,
                                                          std::generic_category().message(err)));
  e.sys_errno = err;
  return e;
}

}  // namespace

Result<void> Loop::open() {
  epfd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epfd_ < 0) return loop_error(errno, "epoll_create1");
  eventfd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (eventfd_ < 0) return loop_error(errno, "eventfd");
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = eventfd_;
  if (epoll_ctl(epfd_, EPOLL_CTL_ADD, eventfd_, &ev) != 0) return loop_error(errno, "epoll_ctl");
  if (opts_.time_slice_ns != 0 && !start_ticker()) return loop_error(EAGAIN, "time-slice thread");
  return {};
}

Result<std::unique_ptr<Loop>> Loop::create(LoopOptions opts) {
  std::unique_ptr<Loop> loop(new (std::nothrow) Loop(opts));
  if (!loop) return make_error(ErrorKind::Exhaustion, "cannot create an event loop: out of memory");
  WIPPY_TRY(loop->open());  // on failure ~Loop closes what open() got
  return loop;
}

Loop::~Loop() {
  ticker_.reset();  // no watchdog looks at fibers from here on
  shutting_down_ = true;
  // Fibers that never started have no frames: drop them without running.
  Fiber* head = runq_head_;
  runq_head_ = runq_tail_ = nullptr;
  runq_size_ = 0;
  while (head != nullptr) {
    Fiber* next = head->next_run;
    if (head->started)
      push_run(head);
    else
      abandon(head);
    head = next;
  }
  for (Slot& s : slots_) {
    Fiber* f = s.fiber;
    if (f == nullptr || f->state == FiberState::finished) continue;
    f->cancelled = true;
    raise_yield_flag(*f);
    if (f->state == FiberState::parked) wake(f, Errc::cancelled);
  }
  if (live_ > 0) {
    PublishLoop publish(this);
    for (int round = 0; round < kDrainRounds && live_ > 0 && runq_head_ != nullptr; ++round)
      run_round();
  }
  runq_head_ = runq_tail_ = nullptr;
  runq_size_ = 0;
  for (Slot& s : slots_)
    if (s.fiber != nullptr) abandon(s.fiber);
  if (eventfd_ >= 0) close(eventfd_);
  if (epfd_ >= 0) close(epfd_);
}

bool Loop::start_ticker() {
  if (ticker_) return true;
  if (shutting_down_) return false;
  uint64_t tick = opts_.tick_ns;
  if (tick == 0) tick = opts_.time_slice_ns != 0 ? std::max<uint64_t>(opts_.time_slice_ns / 2, 100000) : 1000000;
  try {
    ticker_ = std::make_unique<Ticker>(slice_, opts_.time_slice_ns, tick);
  } catch (const std::system_error&) {  // no thread: std::thread reports it by throwing
    return false;
  } catch (const std::bad_alloc&) {
    return false;
  }
  return true;
}

// --- fibers ---------------------------------------------------------------

FiberHandle Loop::spawn(std::function<void()> fn, SpawnOptions so) {
  // A deadline needs the watchdog thread (not while shutting down: the
  // fiber is cancelled before it runs anyway).
  if (so.deadline != 0 && !shutting_down_ && !start_ticker()) return {};
  const size_t size = so.stack_size != 0 ? round_to_pages(so.stack_size) : opts_.stack_size;
  FiberStack stack;
  if (size == opts_.stack_size && !stack_cache_.empty()) {
    if (stack_cache_.size() > opts_.stack_cache) stack_burst_ns_ = now_ns();
    stack = std::move(stack_cache_.back());
    stack_cache_.pop_back();
  } else {
    auto s = FiberStack::allocate(size, opts_.guard_size);
    if (!s) return {};
    stack = std::move(*s);
  }
  auto* f = new Fiber;
  f->loop = this;
  f->stack = std::move(stack);
  f->fn = std::move(fn);
  f->timer.owner = f;
  f->timer.fire = &Loop::fiber_timer_fired;
  f->cancelled = shutting_down_;
  uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = static_cast<uint32_t>(slots_.size());
    slots_.push_back(Slot{});
  }
  slots_[slot].fiber = f;
  f->slot = slot;
  f->gen = slots_[slot].gen;
  f->sp = make_context(f->stack.top(), &Loop::entry, f);
  if (so.deadline != 0) {
    f->deadline.store(so.deadline, std::memory_order_relaxed);
  }
  ++live_;
  push_run(f);
  return FiberHandle{slot, f->gen};
}

void Loop::entry(void* arg) {
  context_started();
  Fiber* f = static_cast<Fiber*>(arg);
  f->started = true;
  try {
    f->fn();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "wippy: exception escaped a fiber: %s\n", e.what());
    std::abort();
  } catch (...) {
    std::fprintf(stderr, "wippy: exception escaped a fiber\n");
    std::abort();
  }
  f->fn = nullptr;  // captures die here, on the fiber's own stack
  f->loop->finish(f);
}

void Loop::finish(Fiber* f) {
  while (WaitNode* n = f->joiners.front()) {
    n->fired = true;
    wake(n->fiber, Errc::ok);
    f->joiners.remove(*n);
  }
  f->state = FiberState::finished;
  zombie_ = f;  // the loop context reaps it: a stack cannot free itself
  switch_context(&f->sp, loop_sp_, loop_stack_, /*final=*/true);
  std::abort();  // a finished fiber is never resumed
}

Fiber* Loop::lookup(FiberHandle h) const {
  if (h.slot >= slots_.size()) return nullptr;
  const Slot& s = slots_[h.slot];
  return s.gen == h.gen ? s.fiber : nullptr;
}

bool Loop::alive(FiberHandle h) const {
  const Fiber* f = lookup(h);
  return f != nullptr && f->state != FiberState::finished;
}

bool Loop::cancel(FiberHandle h) {
  Fiber* f = lookup(h);
  if (f == nullptr || f->state == FiberState::finished) return false;
  f->cancelled = true;
  raise_yield_flag(*f);
  if (f->state == FiberState::parked) wake(f, Errc::cancelled);
  return true;
}

void Loop::reap(Fiber* f) {
  timers_.remove(f->timer);
  Slot& s = slots_[f->slot];
  s.fiber = nullptr;
  ++s.gen;
  free_slots_.push_back(f->slot);
  --live_;
  if (f->stack.usable_size() == FiberStack::usable_for(opts_.stack_size) &&
      stack_cache_.size() < std::max(opts_.stack_cache, opts_.stack_burst)) {
    f->stack.forget_frames();
    stack_cache_.push_back(std::move(f->stack));
    if (stack_cache_.size() > opts_.stack_cache) stack_burst_ns_ = now_ns();
  }
  free_fiber(f);
}

void Loop::abandon(Fiber* f) {
  for (size_t i = 0; i < f->nwaits; ++i)
    if (f->waits[i].list != nullptr) f->waits[i].list->remove(f->waits[i]);
  while (WaitNode* n = f->joiners.front()) f->joiners.remove(*n);
  timers_.remove(f->timer);
  Slot& s = slots_[f->slot];
  s.fiber = nullptr;
  ++s.gen;
  --live_;
  free_fiber(f);
}

void Loop::free_fiber(Fiber* f) {
  FiberStack stack = std::move(f->stack);  // unmapped outside the lock
  if (ticker_) {
    std::lock_guard<std::mutex> lk(slice_.mu);
    delete f;
  } else {
    delete f;
  }
}

// --- scheduling -------------------------------------------------------------

void Loop::push_run(Fiber* f) {
  f->next_run = nullptr;
  (runq_tail_ ? runq_tail_->next_run : runq_head_) = f;
  runq_tail_ = f;
  ++runq_size_;
}

Fiber* Loop::pop_run() {
  Fiber* f = runq_head_;
  if (f == nullptr) return nullptr;
  runq_head_ = f->next_run;
  if (runq_head_ == nullptr) runq_tail_ = nullptr;
  --runq_size_;
  return f;
}

namespace {
uint64_t thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return uint64_t(ts.tv_sec) * 1000000000u + uint64_t(ts.tv_nsec);
}

// Adds the CPU time since `f` was entered (fibers that count it).
void count_cpu(Fiber* f) {
  if (f->count_cpu) f->cpu_ns += thread_cpu_ns() - f->cpu_mark;
}
}  // namespace

std::optional<uint64_t> Loop::cpu_time_ns() {
  Fiber* f = current_;
  if (f == nullptr) return std::nullopt;
  const uint64_t now = thread_cpu_ns();
  if (!f->count_cpu) {
    f->count_cpu = true;
    f->cpu_mark = now;
  }
  return f->cpu_ns + (now - f->cpu_mark);
}

void Loop::enter(Fiber* f) {
  if (f->count_cpu) f->cpu_mark = thread_cpu_ns();
  current_ = f;
  f->state = FiberState::running;
  slice_.running.store(f, std::memory_order_release);
  slice_.epoch.store(slice_.epoch.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  detail::tl_running_stack = &f->stack.range();
}

void Loop::resume(Fiber* f) {
  enter(f);
  switch_context(&loop_sp_, f->sp, stack_span(*f));
  // Back in the loop context (from whichever fiber gave up last).
  current_ = nullptr;
  slice_.running.store(nullptr, std::memory_order_release);
  detail::tl_running_stack = nullptr;
  if (Fiber* z = zombie_) {
    zombie_ = nullptr;
    reap(z);
  }
}

void Loop::switch_out(Fiber* f) {
  count_cpu(f);
  if (budget_ > 0) {
    if (Fiber* next = pop_run()) {
      --budget_;
      enter(next);
      if (next != f) switch_context(&f->sp, next->sp, stack_span(*next));
      return;
    }
  }
  switch_context(&f->sp, loop_sp_, loop_stack_);
}

void Loop::run_round() {
  budget_ = std::max<uint32_t>(static_cast<uint32_t>(runq_size_), kMinBudget);
  if (Fiber* f = pop_run()) resume(f);
}

Errc Loop::park(Fiber* f, uint64_t deadline) {
  if (f->cancelled) return Errc::cancelled;
  const uint64_t fdl = f->deadline.load(std::memory_order_relaxed);
  f->timer_is_deadline = false;
  if (fdl != 0 && fdl <= deadline) {
    deadline = fdl;
    f->timer_is_deadline = true;
  }
  if (deadline != kNever) timers_.push(f->timer, deadline);
  f->state = FiberState::parked;
  f->wake = Errc::ok;
  switch_out(f);
  return f->wake;
}

bool Loop::wake(Fiber* f, Errc why) {
  if (f->state != FiberState::parked) return false;
  timers_.remove(f->timer);
  f->wake = why;
  f->state = FiberState::runnable;
  push_run(f);
  return true;
}

void Loop::wake_list(WaitList& l) {
  for (WaitNode* n = l.front(); n != nullptr; n = n->next) {
    n->fired = true;
    wake(n->fiber, Errc::ok);
  }
}

void Loop::fiber_timer_fired(TimerNode& t) {
  Fiber* f = static_cast<Fiber*>(t.owner);
  if (f->timer_is_deadline) {
    raise_yield_flag(*f);
    f->loop->wake(f, Errc::deadline_exceeded);
  } else {
    f->loop->wake(f, Errc::timed_out);
  }
}

RunResult Loop::run() {
  if (in_run_ || current_ != nullptr) return RunResult::stopped;  // no nesting
  in_run_ = true;
  set_idle(false);
  PublishLoop publish(this);
  RunResult result;
  for (;;) {
    if (stop_) {
      stop_ = false;
      result = RunResult::stopped;
      break;
    }
    if (live_ == 0) {
      result = RunResult::finished;
      break;
    }
    if (runq_head_ != nullptr) {
      run_round();
      if (fd_interest_ > 0 || has_posts_.load(std::memory_order_relaxed)) poll_io(0);
      fire_timers();
      continue;
    }
    if (timers_.empty() && fd_interest_ == 0 && refs_.load(std::memory_order_acquire) == 0 &&
        !has_posts_.load(std::memory_order_acquire)) {
      result = RunResult::stalled;
      break;
    }
    int64_t timeout = -1;
    if (const TimerNode* t = timers_.top()) {
      const uint64_t now = now_ns();
      timeout = t->deadline <= now ? 0 : static_cast<int64_t>(std::min<uint64_t>(t->deadline - now, INT64_MAX));
    }
    if (timeout != 0) {
      timeout = trim_stack_cache_before_wait(timeout);
      set_idle(true);
    }
    poll_io(timeout);
    if (timeout != 0) set_idle(false);
    fire_timers();
  }
  trim_stack_cache();
  set_idle(true);
  in_run_ = false;
  return result;
}

void Loop::trim_stack_cache() {
  if (stack_cache_.size() > opts_.stack_cache) stack_cache_.resize(opts_.stack_cache);
}

int64_t Loop::trim_stack_cache_before_wait(int64_t timeout_ns) {
  if (stack_cache_.size() <= opts_.stack_cache) return timeout_ns;
  if (opts_.stack_trim_delay_ns > UINT64_MAX - stack_burst_ns_) return timeout_ns;  // never falls due
  const uint64_t now = now_ns();
  const uint64_t due = stack_burst_ns_ + opts_.stack_trim_delay_ns;
  if (due <= now) {
    trim_stack_cache();
    return timeout_ns;
  }
  const auto left = static_cast<int64_t>(std::min<uint64_t>(due - now, INT64_MAX));
  return timeout_ns < 0 ? left : std::min(timeout_ns, left);
}

void Loop::set_idle(bool idle) {
  slice_.idle.store(idle, std::memory_order_seq_cst);
  if (!idle && ticker_) ticker_->wake_if_parked();
}

// --- running fiber ----------------------------------------------------------

FiberHandle Loop::self() const {
  return current_ ? FiberHandle{current_->slot, current_->gen} : FiberHandle{};
}

volatile uint32_t* Loop::should_yield_flag() {
  return current_ ? &current_->should_yield : nullptr;
}

void Loop::attach_interrupt_flag(volatile uint32_t* flag) {
  Fiber* f = current_;
  if (f == nullptr) return;
  if (ticker_) {
    std::lock_guard<std::mutex> lk(slice_.mu);
    f->external_flag = flag;
  } else {
    f->external_flag = flag;
  }
  if (flag != nullptr && __atomic_load_n(&f->should_yield, __ATOMIC_RELAXED) != 0)
    __atomic_store_n(flag, 1u, __ATOMIC_RELAXED);
}

void Loop::set_deadline(uint64_t mono_ns) {
  if (current_ == nullptr) return;
  current_->deadline.store(mono_ns, std::memory_order_relaxed);
  // Without the watchdog thread the deadline is still recorded: blocking
  // calls and the next successful start of the thread enforce it.
  if (mono_ns != 0) start_ticker();
}

bool Loop::deadline_exceeded() const {
  if (current_ == nullptr) return false;
  const uint64_t dl = current_->deadline.load(std::memory_order_relaxed);
  return dl != 0 && now_ns() >= dl;
}

bool Loop::cancelled() const { return current_ != nullptr && current_->cancelled; }

Interrupt Loop::on_interrupt() {
  Fiber* f = current_;
  if (f == nullptr) return Interrupt::resume;
  __atomic_store_n(&f->should_yield, 0u, __ATOMIC_RELAXED);
  if (f->external_flag != nullptr) __atomic_store_n(f->external_flag, 0u, __ATOMIC_RELAXED);
  if (f->cancelled) return Interrupt::cancelled;
  if (deadline_exceeded()) return Interrupt::deadline_exceeded;
  // A time slice ran out: go back through the loop (timers, I/O) rather
  // than spending the remaining yield budget on this same fiber.
  budget_ = 0;
  (void)yield();
  if (f->cancelled) return Interrupt::cancelled;
  if (deadline_exceeded()) return Interrupt::deadline_exceeded;
  return Interrupt::resume;
}

Errc Loop::yield() {
  Fiber* f = current_;
  if (f == nullptr) return Errc::not_in_fiber;
  if (runq_head_ == nullptr && budget_ > 1) {
    --budget_;  // nothing else to run: keep going until the loop is due a poll
  } else {
    f->state = FiberState::runnable;
    push_run(f);
    switch_out(f);
  }
  return f->cancelled ? Errc::cancelled : Errc::ok;
}

Errc Loop::sleep_until(uint64_t mono_ns) {
  Fiber* f = current_;
  if (f == nullptr) return Errc::not_in_fiber;
  const Errc e = park(f, mono_ns);
  return e == Errc::timed_out ? Errc::ok : e;
}

Errc Loop::join(FiberHandle h) {
  Fiber* target = lookup(h);
  if (target == nullptr || target->state == FiberState::finished) return Errc::ok;
  Fiber* f = current_;
  if (f == nullptr) return Errc::not_in_fiber;
  if (target == f) return Errc::system;  // would never return
  WaitNode node;
  node.fiber = f;
  target->joiners.push_back(node);
  f->waits = &node;
  f->nwaits = 1;
  const Errc e = park(f, kNever);
  f->waits = nullptr;
  f->nwaits = 0;
  if (node.list != nullptr) node.list->remove(node);
  return e;
}

}  // namespace wippy::disp
