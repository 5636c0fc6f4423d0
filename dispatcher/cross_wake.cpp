// cross_wake.cpp — CrossWake (see cross_wake.h): an atomic flag with a
// futex wait for threads, and an Event notified by a post for fibers.
#include "dispatcher/cross_wake.h"

#include <atomic>

#include "dispatcher/loop.h"
#include "dispatcher/pollable.h"
#include "dispatcher/this_fiber.h"

namespace wippy::disp {

struct CrossWake::Shared {
  std::atomic<uint32_t> done{0};
  std::shared_ptr<Event> event = std::make_shared<Event>();  // touched on the loop's thread only
};

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

void CrossWake::wait() {
  Shared& s = *shared_;
  if (loop_) {
    Pollable p = Pollable::on(s.event);
    while (s.done.load(std::memory_order_acquire) == 0)
      if (this_fiber::block(p) != Errc::ok) break;  // cancelled: wait below instead
  }
  while (s.done.load(std::memory_order_acquire) == 0) s.done.wait(0, std::memory_order_acquire);
  if (loop_ && !waited_) loop_->release_ref();
  waited_ = true;
}

}  // namespace wippy::disp
