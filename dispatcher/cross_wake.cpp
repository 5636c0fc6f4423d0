// cross_wake.cpp — CrossWake (see cross_wake.h) on an eventfd.
#include "dispatcher/cross_wake.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include <fmt/format.h>

#include "dispatcher/wait.h"

namespace wippy::disp {

Result<CrossWake> CrossWake::make() {
  const int fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (fd < 0) return make_error(ErrorKind::Exhaustion, fmt::format("eventfd: {}", std::strerror(errno)));
  return CrossWake(fd);
}

CrossWake& CrossWake::operator=(CrossWake&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(o.fd_, -1);
  }
  return *this;
}

CrossWake::~CrossWake() {
  if (fd_ >= 0) ::close(fd_);
}

void CrossWake::signal() {
  const uint64_t one = 1;
  // Only EAGAIN (the counter at its maximum) can fail here, and then a
  // wake-up is already pending.
  while (::write(fd_, &one, sizeof one) < 0 && errno == EINTR) {
  }
}

void CrossWake::wait() {
  for (;;) {
    uint64_t n = 0;
    if (::read(fd_, &n, sizeof n) == sizeof n) return;
    if (errno == EINTR) continue;
    // Not signalled yet: park the fiber (or block the thread); a wait the
    // fiber cannot do (cancelled, past its deadline) blocks the thread.
    if (!wait_fd(fd_, false)) {
      pollfd p{fd_, POLLIN, 0};
      ::poll(&p, 1, -1);
    }
  }
}

}  // namespace wippy::disp
