// pollable.cpp — readiness checks and manual notification.
#include "dispatcher/pollable.h"

#include <poll.h>

#include <cstdio>
#include <cstdlib>

#include "dispatcher/fiber.h"
#include "dispatcher/loop.h"

namespace wippy::disp {

Pollable::Pollable(Pollable&& o) noexcept : kind_(o.kind_), set_(o.set_), fd_(o.fd_), deadline_(o.deadline_) {
  if (o.has_waiters()) {
    std::fprintf(stderr, "wippy: a Pollable was moved while fibers wait on it\n");
    std::abort();
  }
}

Pollable& Pollable::operator=(Pollable&& o) noexcept {
  if (has_waiters() || o.has_waiters()) {
    std::fprintf(stderr, "wippy: a Pollable was moved while fibers wait on it\n");
    std::abort();
  }
  kind_ = o.kind_;
  set_ = o.set_;
  fd_ = o.fd_;
  deadline_ = o.deadline_;
  return *this;
}

Pollable::~Pollable() {
  if (has_waiters()) {
    std::fprintf(stderr, "wippy: a Pollable was destroyed while fibers wait on it\n");
    std::abort();
  }
}

bool Pollable::ready() const {
  switch (kind_) {
    case Kind::deadline:
      return now_ns() >= deadline_;
    case Kind::manual:
      return set_;
    case Kind::readable:
    case Kind::writable: {
      pollfd p{fd_, static_cast<short>(kind_ == Kind::readable ? POLLIN : POLLOUT), 0};
      return ::poll(&p, 1, 0) > 0;  // an error or hang-up also counts as ready
    }
  }
  return false;
}

void Pollable::notify() {
  if (kind_ != Kind::manual) return;
  set_ = true;
  for (WaitNode* n = waiters_.front(); n != nullptr; n = n->next) {
    n->fired = true;
    n->fiber->loop->wake(n->fiber, Errc::ok);
  }
}

void Pollable::reset() {
  if (kind_ == Kind::manual) set_ = false;
}

}  // namespace wippy::disp
