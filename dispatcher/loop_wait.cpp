// loop_wait.cpp — the fiber side of waiting on descriptors and Pollables:
// register interest, park, unregister, report what became ready.
#include <poll.h>

#include <algorithm>

#include "dispatcher/fiber.h"
#include "dispatcher/loop.h"

namespace wippy::disp {

Errc Loop::wait_fd(int fd, bool write, uint64_t deadline) {
  Fiber* f = current_;
  if (f == nullptr) return Errc::not_in_fiber;
  if (f->cancelled) return Errc::cancelled;
  WaitNode node;
  node.fiber = f;
  Errc e = fd_link(fd, write, node);
  if (e != Errc::ok) return e;
  if (!node.fired) {
    f->waits = &node;
    f->nwaits = 1;
    e = park(f, deadline);
    f->waits = nullptr;
    f->nwaits = 0;
  }
  fd_unlink(fd, write, node);
  if (e == Errc::cancelled || e == Errc::deadline_exceeded) return e;
  return node.fired ? Errc::ok : e;
}

Errc Loop::block(Pollable& p) {
  Pollable* one[1] = {&p};
  return poll(one).err;
}

PollResult Loop::poll(std::span<Pollable* const> list) {
  PollResult res;
  if (list.empty()) return res;
  ready_now(list, res.ready);
  if (!res.ready.empty()) return res;
  Fiber* f = current_;
  if (f == nullptr) {
    res.err = Errc::not_in_fiber;
    return res;
  }
  std::vector<WaitNode> nodes(list.size());
  for (;;) {
    if (f->cancelled) {
      res.err = Errc::cancelled;
      return res;
    }
    uint64_t deadline = kNever;
    Errc e = Errc::ok;
    bool fired = false;
    size_t linked = 0;
    for (size_t i = 0; i < list.size(); ++i) {
      Pollable& p = *list[i];
      WaitNode& node = nodes[i];
      node = WaitNode{};
      node.fiber = f;
      switch (p.kind_) {
        case Pollable::Kind::deadline:
          deadline = std::min(deadline, p.deadline_);
          break;
        case Pollable::Kind::event:
          deadline = std::min(deadline, p.arm_deadline());
          p.event_->waiters_.push_back(node);
          fired = fired || p.event_->set_;
          break;
        case Pollable::Kind::readable:
        case Pollable::Kind::writable:
          deadline = std::min(deadline, p.arm_deadline());
          e = fd_link(p.fd_, p.kind_ == Pollable::Kind::writable, node);
          fired = fired || node.fired;
          break;
      }
      if (e != Errc::ok) break;
      linked = i + 1;
    }
    if (e == Errc::ok && !fired) {
      f->waits = nodes.data();
      f->nwaits = nodes.size();
      e = park(f, deadline);
      f->waits = nullptr;
      f->nwaits = 0;
    }
    for (size_t i = 0; i < linked; ++i) {
      Pollable& p = *list[i];
      if (p.kind_ == Pollable::Kind::event)
        p.event_->waiters_.remove(nodes[i]);
      else if (p.kind_ == Pollable::Kind::readable || p.kind_ == Pollable::Kind::writable)
        fd_unlink(p.fd_, p.kind_ == Pollable::Kind::writable, nodes[i]);
    }
    if (e != Errc::ok && e != Errc::timed_out) {
      res.err = e;
      return res;
    }
    ready_now(list, res.ready);
    if (!res.ready.empty()) return res;
    // Woken but nothing is ready any more (an event was reset, a spurious
    // descriptor wake-up): wait again.
  }
}

}  // namespace wippy::disp
