// socket.cpp — socket creation, address checks, connect/listen/accept and
// data transfer. The option getters and setters are in socket_options.cpp.
#include "net/socket.h"

#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "dispatcher/this_fiber.h"

namespace wippy::net {

NetResult<Socket> Socket::create(Family f, Proto p) {
  const int domain = f == Family::ipv4 ? AF_INET : AF_INET6;
  const int type = (p == Proto::tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC | SOCK_NONBLOCK;
  const int fd = ::socket(domain, type, 0);
  if (fd < 0) return error_from_errno(errno, Op::create);
  return Socket(fd, f, p);
}

Socket::Socket(Socket&& o) noexcept
    : fd_(std::exchange(o.fd_, -1)), family_(o.family_), proto_(o.proto_), listening_(o.listening_) {}

Socket& Socket::operator=(Socket&& o) noexcept {
  if (this != &o) {
    close();
    fd_ = std::exchange(o.fd_, -1);
    family_ = o.family_;
    proto_ = o.proto_;
    listening_ = o.listening_;
  }
  return *this;
}

void Socket::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  listening_ = false;
}

NetResult<void> Socket::check_address(const SocketAddress& a) const {
  if (family_of(a) != family_) return ErrorCode::invalid_argument;
  if (is_ipv4_mapped(ip_of(a))) return ErrorCode::invalid_argument;
  return {};
}

NetResult<void> Socket::check_remote(const SocketAddress& a) const {
  if (auto r = check_address(a); !r) return r;
  const IpAddress ip = ip_of(a);
  if (is_unspecified(ip) || port_of(a) == 0) return ErrorCode::invalid_argument;
  if (proto_ == Proto::tcp && (is_multicast(ip) || is_broadcast(ip))) return ErrorCode::invalid_argument;
  return {};
}

namespace {

template <class Call>
NetResult<SocketAddress> query_address(int fd, Call call) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (call(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return error_from_errno(errno);
  auto a = from_sockaddr(reinterpret_cast<sockaddr*>(&ss), len);
  if (!a) return ErrorCode::invalid_state;  // e.g. AF_UNSPEC: not bound / connected
  return *a;
}

}  // namespace

NetResult<SocketAddress> Socket::local_address() const {
  if (fd_ < 0) return ErrorCode::invalid_state;
  return query_address(fd_, ::getsockname);
}

NetResult<SocketAddress> Socket::remote_address() const {
  if (fd_ < 0) return ErrorCode::invalid_state;
  return query_address(fd_, ::getpeername);
}

NetResult<void> Socket::bind(const SocketAddress& a) {
  if (fd_ < 0) return ErrorCode::invalid_state;
  if (auto r = check_address(a); !r) return r;
  if (proto_ == Proto::tcp) {
    // A port left in TIME_WAIT by an earlier listener can be bound again.
    if (auto r = set_int(SOL_SOCKET, SO_REUSEADDR, 1); !r) return r;
  }
  sockaddr_storage ss;
  const socklen_t len = to_sockaddr(a, ss);
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&ss), len) != 0) return error_from_errno(errno, Op::bind);
  return {};
}

NetResult<bool> Socket::start_connect(const SocketAddress& remote) {
  if (fd_ < 0) return ErrorCode::invalid_state;
  if (auto r = check_remote(remote); !r) return r.error();
  sockaddr_storage ss;
  const socklen_t len = to_sockaddr(remote, ss);
  int rc;
  do {
    rc = ::connect(fd_, reinterpret_cast<sockaddr*>(&ss), len);
  } while (rc != 0 && errno == EINTR && proto_ == Proto::udp);
  if (rc == 0) return true;
  if (errno == EINPROGRESS || errno == EINTR) return false;  // TCP: completes in the background
  return error_from_errno(errno, Op::connect);
}

NetResult<void> Socket::finish_connect() {
  if (fd_ < 0) return ErrorCode::invalid_state;
  pollfd p{fd_, POLLOUT, 0};
  const int n = ::poll(&p, 1, 0);
  if (n < 0) return error_from_errno(errno, Op::connect);
  if (n == 0) return ErrorCode::would_block;
  int err = 0;
  socklen_t len = sizeof err;
  if (::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len) != 0) return error_from_errno(errno, Op::connect);
  if (err != 0) return error_from_errno(err, Op::connect);
  sockaddr_storage ss;
  socklen_t sl = sizeof ss;
  if (::getpeername(fd_, reinterpret_cast<sockaddr*>(&ss), &sl) != 0) {
    // Writable without an error or a peer: the connect failed in a way
    // SO_ERROR already cleared; report it as the WIT's generic refusal.
    return errno == ENOTCONN ? ErrorCode::connection_refused : error_from_errno(errno, Op::connect);
  }
  return {};
}

NetResult<void> Socket::connect(const SocketAddress& remote, uint64_t deadline) {
  bool started = false;
  return blocking(*this, true, deadline, [&]() -> NetResult<void> {
    if (!started) {
      started = true;
      auto now = start_connect(remote);
      if (!now) return now.error();
      if (*now) return {};
    }
    return finish_connect();
  });
}

NetResult<void> Socket::listen(uint32_t backlog) {
  if (fd_ < 0) return ErrorCode::invalid_state;
  if (proto_ != Proto::tcp) return ErrorCode::not_supported;
  const int n = backlog > 65535 ? 65535 : static_cast<int>(backlog);
  if (::listen(fd_, n) != 0) return error_from_errno(errno, Op::listen);
  listening_ = true;
  return {};
}

NetResult<Accepted> Socket::accept() {
  if (fd_ < 0) return ErrorCode::invalid_state;
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  int fd;
  do {
    fd = ::accept4(fd_, reinterpret_cast<sockaddr*>(&ss), &len, SOCK_CLOEXEC | SOCK_NONBLOCK);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) {
    if (errno == EINVAL) return ErrorCode::invalid_state;  // not listening
    return error_from_errno(errno, Op::accept);
  }
  Socket s(fd, family_, proto_);
  auto remote = from_sockaddr(reinterpret_cast<sockaddr*>(&ss), len);
  if (!remote) return ErrorCode::connection_aborted;
  return Accepted{std::move(s), *remote};
}

NetResult<void> Socket::disconnect() {
  if (fd_ < 0) return ErrorCode::invalid_state;
  sockaddr sa{};
  sa.sa_family = AF_UNSPEC;
  if (::connect(fd_, &sa, sizeof sa) != 0) return error_from_errno(errno, Op::connect);
  return {};
}

NetResult<void> Socket::shutdown(bool receive, bool send) {
  if (fd_ < 0) return ErrorCode::invalid_state;
  if (!receive && !send) return {};
  const int how = receive && send ? SHUT_RDWR : receive ? SHUT_RD : SHUT_WR;
  if (::shutdown(fd_, how) != 0) return error_from_errno(errno);
  return {};
}

NetResult<size_t> Socket::read(std::span<uint8_t> buf) {
  if (fd_ < 0) return ErrorCode::invalid_state;
  ssize_t n;
  do {
    n = ::recv(fd_, buf.data(), buf.size(), 0);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return error_from_errno(errno, Op::receive);
  return static_cast<size_t>(n);
}

NetResult<size_t> Socket::write(std::span<const uint8_t> data) {
  if (fd_ < 0) return ErrorCode::invalid_state;
  ssize_t n;
  do {
    n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return error_from_errno(errno, Op::send);
  return static_cast<size_t>(n);
}

NetResult<size_t> Socket::send_to(std::span<const uint8_t> data, const std::optional<SocketAddress>& to) {
  if (fd_ < 0) return ErrorCode::invalid_state;
  sockaddr_storage ss;
  socklen_t len = 0;
  if (to) {
    if (auto r = check_remote(*to); !r) return r.error();
    len = to_sockaddr(*to, ss);
  }
  ssize_t n;
  do {
    n = ::sendto(fd_, data.data(), data.size(), MSG_NOSIGNAL, to ? reinterpret_cast<sockaddr*>(&ss) : nullptr, len);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    if (errno == EDESTADDRREQ) return ErrorCode::invalid_state;  // neither an address nor a peer
    return error_from_errno(errno, Op::send);
  }
  return static_cast<size_t>(n);
}

NetResult<Datagram> Socket::receive_from(std::span<uint8_t> buf) {
  if (fd_ < 0) return ErrorCode::invalid_state;
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  ssize_t n;
  do {
    n = ::recvfrom(fd_, buf.data(), buf.size(), MSG_TRUNC, reinterpret_cast<sockaddr*>(&ss), &len);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return error_from_errno(errno, Op::receive);
  auto from = from_sockaddr(reinterpret_cast<sockaddr*>(&ss), len);
  if (!from) return ErrorCode::unknown;
  Datagram d;
  d.full_size = static_cast<size_t>(n);
  d.size = d.full_size < buf.size() ? d.full_size : buf.size();
  d.from = *from;
  return d;
}

NetResult<void> Socket::wait_readable(uint64_t deadline) const {
  if (fd_ < 0) return ErrorCode::invalid_state;
  const disp::Errc e = disp::this_fiber::wait_readable(fd_, deadline);
  if (e != disp::Errc::ok) return error_from_wait(e);
  return {};
}

NetResult<void> Socket::wait_writable(uint64_t deadline) const {
  if (fd_ < 0) return ErrorCode::invalid_state;
  const disp::Errc e = disp::this_fiber::wait_writable(fd_, deadline);
  if (e != disp::Errc::ok) return error_from_wait(e);
  return {};
}

}  // namespace wippy::net
