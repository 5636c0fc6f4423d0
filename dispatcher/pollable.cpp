// pollable.cpp — Event notification and ready_now, the one readiness
// routine (see pollable.h).
#include "dispatcher/pollable.h"

#include <poll.h>

#include <cstdio>
#include <cstdlib>

#include "dispatcher/fiber.h"
#include "dispatcher/loop.h"

namespace wippy::disp {

Event::~Event() {
  if (has_waiters()) {
    std::fprintf(stderr, "wippy: an Event was destroyed while fibers wait on it\n");
    std::abort();
  }
}

void Event::notify() {
  set_ = true;
  for (WaitNode* n = waiters_.front(); n != nullptr; n = n->next) {
    n->fired = true;
    n->fiber->loop->wake(n->fiber, Errc::ok);
  }
}

void Event::reset() { set_ = false; }

bool Pollable::ready() const {
  const Pollable* one[1] = {this};
  std::vector<uint32_t> r;
  ready_now(one, r);
  return !r.empty();
}

void Pollable::notify() {
  if (event_) event_->notify();
}

void Pollable::reset() {
  if (event_) event_->reset();
}

void ready_now(std::span<const Pollable* const> list, std::vector<uint32_t>& out) {
  constexpr size_t kInline = 8;
  pollfd inline_fds[kInline];
  uint32_t inline_idx[kInline];
  std::vector<pollfd> heap_fds;
  std::vector<uint32_t> heap_idx;
  size_t nfds = 0;
  for (const Pollable* p : list)
    if (p->kind() == Pollable::Kind::readable || p->kind() == Pollable::Kind::writable) ++nfds;
  pollfd* fds = inline_fds;
  uint32_t* idx = inline_idx;
  if (nfds > kInline) {
    heap_fds.resize(nfds);
    heap_idx.resize(nfds);
    fds = heap_fds.data();
    idx = heap_idx.data();
  }
  size_t n = 0;
  for (size_t i = 0; i < list.size(); ++i) {
    const Pollable& p = *list[i];
    if (p.kind() == Pollable::Kind::readable || p.kind() == Pollable::Kind::writable) {
      fds[n] = pollfd{p.fd(), static_cast<short>(p.kind() == Pollable::Kind::readable ? POLLIN : POLLOUT), 0};
      idx[n++] = static_cast<uint32_t>(i);
    }
  }
  if (n > 0 && ::poll(fds, n, 0) <= 0) n = 0;  // none ready (or poll failed: report none)
  size_t j = 0;  // walks the descriptors in list order
  uint64_t now = 0;
  for (size_t i = 0; i < list.size(); ++i) {
    const Pollable& p = *list[i];
    bool ready = false;
    switch (p.kind()) {
      case Pollable::Kind::deadline:
        if (p.deadline() == 0) {
          ready = true;
        } else {
          if (now == 0) now = now_ns();
          ready = now >= p.deadline();
        }
        break;
      case Pollable::Kind::event:
        ready = p.event() && p.event()->is_set();
        break;
      case Pollable::Kind::readable:
      case Pollable::Kind::writable:
        if (j < n && idx[j] == i) ready = fds[j].revents != 0;  // POLLERR/POLLHUP/POLLNVAL count
        ++j;
        break;
    }
    if (!ready && p.kind() != Pollable::Kind::deadline && p.deadline() != kNever) {  // its clock ran out
      if (now == 0) now = now_ns();
      ready = now >= p.deadline();
    }
    if (ready) out.push_back(static_cast<uint32_t>(i));
  }
}

}  // namespace wippy::disp
