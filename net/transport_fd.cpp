// transport_fd.cpp — FdTransport: recv/send on a non-blocking socket.
#include "net/transport_fd.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "dispatcher/this_fiber.h"

namespace wippy::net {

namespace {

HttpError io_error(const char* what, int err) {
  return http_error(HttpErrc::connection_terminated, std::string(what) + ": " + std::strerror(err));
}

}  // namespace

HttpResult<IoStep> FdTransport::try_read(std::span<uint8_t> buf) {
  if (fd_ < 0) return http_error(HttpErrc::connection_terminated, "the connection is closed");
  for (;;) {
    const ssize_t r = ::recv(fd_, buf.data(), buf.size(), MSG_DONTWAIT);
    if (r > 0) return IoStep{static_cast<size_t>(r), false, IoWant::none};
    if (r == 0) return IoStep{0, true, IoWant::none};
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return IoStep{0, false, IoWant::read};
    return io_error("recv", errno);
  }
}

HttpResult<IoStep> FdTransport::try_write(std::span<const uint8_t> data) {
  if (fd_ < 0) return http_error(HttpErrc::connection_terminated, "the connection is closed");
  for (;;) {
    const ssize_t r = ::send(fd_, data.data(), data.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (r >= 0) return IoStep{static_cast<size_t>(r), false, r > 0 ? IoWant::none : IoWant::write};
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return IoStep{0, false, IoWant::write};
    return io_error("send", errno);
  }
}

disp::Errc FdTransport::wait(IoWant want, uint64_t deadline) {
  if (fd_ < 0) return disp::Errc::bad_fd;
  return want == IoWant::write ? disp::this_fiber::wait_writable(fd_, deadline)
                               : disp::this_fiber::wait_readable(fd_, deadline);
}

void FdTransport::shutdown_write(uint64_t) {
  if (fd_ >= 0) ::shutdown(fd_, SHUT_WR);
}

void FdTransport::close() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

bool FdTransport::idle_ok() {
  if (fd_ < 0) return false;
  uint8_t b;
  const ssize_t r = ::recv(fd_, &b, 1, MSG_PEEK | MSG_DONTWAIT);
  return r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

}  // namespace wippy::net
