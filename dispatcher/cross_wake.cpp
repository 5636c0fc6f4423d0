// cross_wake.cpp — CrossWake (see cross_wake.h): an atomic flag with a
// futex wait for threads, and an Event notified by a post for fibers.
#include "dispatcher/cross_wake.h"

#include <atomic>

#include "dispatcher/clock.h"
#include "dispatcher/loop.h"
#include "dispatcher/pollable.h"
#include "dispatcher/this_fiber.h"

namespace wippy::disp {

struct CrossWake::Shared {
  std::atomic<uint32_t> done{0};
  std::shared_ptr<Event> event = std::make_shared<Event>();  // touched on the loop's thread only
};

namespace {

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// Watches `done` for up to spin_ns before the futex sleep.
void spin_briefly(const std::atomic<uint32_t>& done, uint64_t spin_ns) {
  const uint64_t until = now_ns() + spin_ns;
  do {
    for (int i = 0; i < 64; ++i) {
      if (done.load(std::memory_order_acquire) != 0) return;
      cpu_relax();
    }
  } while (now_ns() < until);
}

}  // namespace

CrossWake::CrossWake() : shared_(std::make_shared<Shared>()) {
  if (this_fiber::in_fiber()) {
    loop_ = Loop::current();
    loop_->add_ref();
  }
}

CrossWake::~CrossWake() {
  if (loop_ && !waited_) loop_->release_ref();
}

void CrossWake::signal() {
  // Once `done` is set the waiter may return and destroy *this: only
  // locals are used from there on.
  std::shared_ptr<Shared> keep = shared_;
  Loop* loop = loop_;
  keep->done.store(1, std::memory_order_release);
  keep->done.notify_all();
  if (loop) loop->post([keep = std::move(keep)] { keep->event->notify(); });
}

void CrossWake::wait(uint64_t spin_ns) {
  Shared& s = *shared_;
  if (loop_) {
    Pollable p = Pollable::on(s.event);
    while (s.done.load(std::memory_order_acquire) == 0)
      if (this_fiber::block(p) != Errc::ok) break;  // cancelled: wait below instead
  }
  if (!loop_ && spin_ns != 0) spin_briefly(s.done, spin_ns);
  while (s.done.load(std::memory_order_acquire) == 0) s.done.wait(0, std::memory_order_acquire);
  if (loop_ && !waited_) loop_->release_ref();
  waited_ = true;
}

}  // namespace wippy::disp
