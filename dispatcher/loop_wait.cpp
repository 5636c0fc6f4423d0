// loop_wait.cpp — the fiber side of waiting on descriptors and Pollables:
// register interest, park, unregister, report what became ready.
#include <poll.h>

#include <algorithm>

#include "dispatcher/fiber.h"
#include "dispatcher/loop.h"

namespace wippy::disp {

namespace {

bool is_fd_kind(Pollable::Kind k) { return k == Pollable::Kind::readable || k == Pollable::Kind::writable; }

// Which of `list` are ready right now, without blocking: one clock read for
// deadlines, one poll(2) for every descriptor.
void ready_now(std::span<Pollable* const> list, std::vector<uint32_t>& out) {
  std::vector<pollfd> pfds;
  std::vector<uint32_t> pidx;
  std::vector<bool> ready(list.size(), false);
  uint64_t now = 0;
  for (size_t i = 0; i < list.size(); ++i) {
    const Pollable& p = *list[i];
    switch (p.kind()) {
      case Pollable::Kind::deadline:
        if (now == 0) now = now_ns();
        ready[i] = now >= p.deadline();
        break;
      case Pollable::Kind::manual:
        ready[i] = p.ready();
        break;
      case Pollable::Kind::readable:
      case Pollable::Kind::writable:
        pfds.push_back(pollfd{p.fd(), static_cast<short>(p.kind() == Pollable::Kind::readable ? POLLIN : POLLOUT), 0});
        pidx.push_back(static_cast<uint32_t>(i));
        break;
    }
  }
  if (!pfds.empty() && ::poll(pfds.data(), pfds.size(), 0) > 0) {
    for (size_t j = 0; j < pfds.size(); ++j)
      if (pfds[j].revents != 0) ready[pidx[j]] = true;  // includes POLLERR/POLLHUP/POLLNVAL
  }
  for (size_t i = 0; i < ready.size(); ++i)
    if (ready[i]) out.push_back(static_cast<uint32_t>(i));
}

}  // namespace

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
      if (p.kind_ == Pollable::Kind::deadline) {
        deadline = std::min(deadline, p.deadline_);
      } else if (p.kind_ == Pollable::Kind::manual) {
        p.waiters_.push_back(node);
        fired = fired || p.set_;
      } else {
        e = fd_link(p.fd_, p.kind_ == Pollable::Kind::writable, node);
        if (e != Errc::ok) break;
        fired = fired || node.fired;
      }
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
      if (p.kind_ == Pollable::Kind::manual)
        p.waiters_.remove(nodes[i]);
      else if (is_fd_kind(p.kind_))
        fd_unlink(p.fd_, p.kind_ == Pollable::Kind::writable, nodes[i]);
    }
    if (e != Errc::ok && e != Errc::timed_out) {
      res.err = e;
      return res;
    }
    uint64_t now = 0;
    for (size_t i = 0; i < list.size(); ++i) {
      const Pollable& p = *list[i];
      bool ready = false;
      if (p.kind_ == Pollable::Kind::deadline) {
        if (now == 0) now = now_ns();
        ready = now >= p.deadline_;
      } else if (p.kind_ == Pollable::Kind::manual) {
        ready = p.set_;
      } else {
        ready = nodes[i].fired;
      }
      if (ready) res.ready.push_back(static_cast<uint32_t>(i));
    }
    if (!res.ready.empty()) return res;
    // Woken but nothing is ready any more (a manual pollable was reset):
    // wait again.
  }
}

}  // namespace wippy::disp
