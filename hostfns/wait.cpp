// wait.cpp — wait_any / wait_fd (see wait.h): the dispatcher in a fiber,
// ppoll(2) outside one.
#include "hostfns/wait.h"

#include <poll.h>
#include <time.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "dispatcher/clock.h"
#include "dispatcher/guest_call.h"
#include "dispatcher/this_fiber.h"

namespace wippy::hostfns {

namespace {

std::vector<uint32_t> ready_now(std::span<disp::Pollable* const> list) {
  std::vector<uint32_t> ready;
  for (uint32_t i = 0; i < list.size(); ++i)
    if (list[i]->ready()) ready.push_back(i);
  return ready;
}

// One ppoll(2) round over the descriptors and the earliest deadline.
Result<void> ppoll_once(std::span<disp::Pollable* const> list) {
  std::vector<pollfd> fds;
  uint64_t earliest = disp::kNever;
  for (auto* p : list) {
    switch (p->kind()) {
      case disp::Pollable::Kind::deadline:
        if (p->deadline() < earliest) earliest = p->deadline();
        break;
      case disp::Pollable::Kind::readable:
        fds.push_back(pollfd{p->fd(), POLLIN, 0});
        break;
      case disp::Pollable::Kind::writable:
        fds.push_back(pollfd{p->fd(), POLLOUT, 0});
        break;
      case disp::Pollable::Kind::manual:
        break;
    }
  }
  if (fds.empty() && earliest == disp::kNever)
    return make_error(ErrorKind::Trap, "wasi poll: nothing could become ready (waiting outside a fiber)");
  timespec ts{};
  timespec* timeout = nullptr;
  if (earliest != disp::kNever) {
    uint64_t now = disp::now_ns();
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

Result<std::vector<uint32_t>> wait_any(std::span<disp::Pollable* const> list) {
  if (list.empty()) return make_error(ErrorKind::Trap, "wasi poll: empty list of pollables");
  if (disp::this_fiber::in_fiber()) {
    disp::PollResult r = disp::this_fiber::poll(list);
    if (r.err != disp::Errc::ok) {
      auto e = disp::errc_to_result(r.err);
      if (!e) return e.error();
    }
    if (!r.ready.empty()) return std::move(r.ready);
    return ready_now(list);
  }
  for (;;) {
    auto ready = ready_now(list);
    if (!ready.empty()) return ready;
    auto r = ppoll_once(list);
    if (!r) return r.error();
  }
}

Result<void> wait_fd(int fd, bool for_write) {
  if (disp::this_fiber::in_fiber()) {
    disp::Errc e = for_write ? disp::this_fiber::wait_writable(fd) : disp::this_fiber::wait_readable(fd);
    if (e == disp::Errc::bad_fd) return {};  // the following read/write reports EBADF
    return disp::errc_to_result(e);
  }
  pollfd p{fd, short(for_write ? POLLOUT : POLLIN), 0};
  while (::poll(&p, 1, -1) < 0) {
    if (errno != EINTR) return make_error(ErrorKind::Io, fmt::format("wasi: poll: {}", std::strerror(errno)));
  }
  return {};
}

}  // namespace wippy::hostfns
