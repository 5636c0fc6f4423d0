// wait.cpp — wait_any / wait_fd (see wait.h): the loop in a fiber, ppoll(2)
// outside one.
#include "dispatcher/wait.h"

#include <poll.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "dispatcher/clock.h"
#include "dispatcher/guest_call.h"
#include "dispatcher/this_fiber.h"

namespace wippy::disp {

namespace {

// Sleeps in one ppoll(2) until a descriptor of `list` or its earliest
// deadline may have become ready (the caller re-checks with ready_now).
Result<void> ppoll_once(std::span<Pollable* const> list) {
  std::vector<pollfd> fds;
  uint64_t earliest = kNever;
  for (auto* p : list) {
    switch (p->kind()) {
      case Pollable::Kind::deadline:
        if (p->deadline() < earliest) earliest = p->deadline();
        break;
      case Pollable::Kind::readable:
      case Pollable::Kind::writable:
        fds.push_back(pollfd{p->fd(), short(p->kind() == Pollable::Kind::readable ? POLLIN : POLLOUT), 0});
        earliest = std::min(earliest, p->arm_deadline());
        break;
      case Pollable::Kind::event:  // only its clock can make it ready here
        earliest = std::min(earliest, p->arm_deadline());
        break;
    }
  }
  if (fds.empty() && earliest == kNever)
    return make_error(ErrorKind::Trap, "wasi poll: nothing could become ready (waiting outside a fiber)");
  timespec ts{};
  timespec* timeout = nullptr;
  if (earliest != kNever) {
    uint64_t now = now_ns();
    uint64_t left = earliest > now ? earliest - now : 0;
    ts.tv_sec = time_t(left / 1000000000u);
    ts.tv_nsec = long(left % 1000000000u);
    timeout = &ts;
  }
  if (ppoll(fds.data(), fds.size(), timeout, nullptr) < 0 && errno != EINTR)
    return make_error(ErrorKind::Io, fmt::format("wasi poll: ppoll: {}", std::strerror(errno)));
  return {};
}

}  // namespace

Result<std::vector<uint32_t>> wait_any(std::span<Pollable* const> list) {
  if (list.empty()) return make_error(ErrorKind::Trap, "wasi poll: empty list of pollables");
  if (this_fiber::in_fiber()) {
    PollResult r = this_fiber::poll(list);
    if (r.err != Errc::ok) {
      auto e = errc_to_result(r.err);
      if (!e) return e.error();
    }
    if (!r.ready.empty()) return std::move(r.ready);
    std::vector<uint32_t> ready;
    ready_now(list, ready);
    return ready;
  }
  for (;;) {
    std::vector<uint32_t> ready;
    ready_now(list, ready);
    if (!ready.empty()) return ready;
    auto r = ppoll_once(list);
    if (!r) return r.error();
  }
}

Result<void> wait_fd(int fd, bool for_write) {
  if (this_fiber::in_fiber()) {
    Errc e = for_write ? this_fiber::wait_writable(fd) : this_fiber::wait_readable(fd);
    if (e == Errc::bad_fd) return {};  // the following read/write reports EBADF
    return errc_to_result(e);
  }
  pollfd p{fd, short(for_write ? POLLOUT : POLLIN), 0};
  while (::poll(&p, 1, -1) < 0) {
    if (errno != EINTR) return make_error(ErrorKind::Io, fmt::format("wasi: poll: {}", std::strerror(errno)));
  }
  return {};
}

}  // namespace wippy::disp
