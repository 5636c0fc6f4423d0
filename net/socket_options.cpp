// socket_options.cpp — the wasi:sockets socket options on a Socket:
// keep-alive, hop limit, buffer sizes, listen backlog and IPV6_V6ONLY.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cerrno>
#include <climits>
#include <functional>

#include "net/socket.h"

namespace wippy::net {

namespace {

constexpr uint64_t kNsPerSec = 1000000000;
constexpr int kMaxKeepAliveSecs = 32767;  // Linux MAX_TCP_KEEPIDLE / MAX_TCP_KEEPINTVL
constexpr int kMaxKeepAliveCount = 127;   // Linux MAX_TCP_KEEPCNT

// Nanoseconds to whole seconds for the kernel: rounded up, within [1, max].
int seconds_for(uint64_t ns) {
  const uint64_t s = ns / kNsPerSec + (ns % kNsPerSec != 0 ? 1 : 0);
  return s > static_cast<uint64_t>(kMaxKeepAliveSecs) ? kMaxKeepAliveSecs : static_cast<int>(s < 1 ? 1 : s);
}

int clamp_int(uint64_t v) { return v > static_cast<uint64_t>(INT_MAX) ? INT_MAX : static_cast<int>(v); }

// An option value read by Socket::get_int, converted by `as` and cast to T;
// an error passes through.
template <class T, class F = std::identity>
NetResult<T> converted(NetResult<int> v, F as = {}) {
  if (!v) return v.error();
  return static_cast<T>(as(*v));
}

bool nonzero(int v) { return v != 0; }
uint64_t ns_from_seconds(int v) { return static_cast<uint64_t>(v) * kNsPerSec; }

}  // namespace

NetResult<int> Socket::get_int(int level, int name) const {
  if (fd_ < 0) return ErrorCode::invalid_state;
  int v = 0;
  socklen_t len = sizeof v;
  if (::getsockopt(fd_, level, name, &v, &len) != 0) return error_from_errno(errno, Op::option);
  return v;
}

NetResult<void> Socket::set_int(int level, int name, int value) {
  if (fd_ < 0) return ErrorCode::invalid_state;
  if (::setsockopt(fd_, level, name, &value, sizeof value) != 0) return error_from_errno(errno, Op::option);
  return {};
}

NetResult<bool> Socket::keep_alive_enabled() const {
  return converted<bool>(get_int(SOL_SOCKET, SO_KEEPALIVE), nonzero);
}

NetResult<void> Socket::set_keep_alive_enabled(bool on) { return set_int(SOL_SOCKET, SO_KEEPALIVE, on ? 1 : 0); }

NetResult<uint64_t> Socket::keep_alive_idle_time() const {
  return converted<uint64_t>(get_int(IPPROTO_TCP, TCP_KEEPIDLE), ns_from_seconds);
}

NetResult<void> Socket::set_keep_alive_idle_time(uint64_t ns) {
  if (ns == 0) return ErrorCode::invalid_argument;
  return set_int(IPPROTO_TCP, TCP_KEEPIDLE, seconds_for(ns));
}

NetResult<uint64_t> Socket::keep_alive_interval() const {
  return converted<uint64_t>(get_int(IPPROTO_TCP, TCP_KEEPINTVL), ns_from_seconds);
}

NetResult<void> Socket::set_keep_alive_interval(uint64_t ns) {
  if (ns == 0) return ErrorCode::invalid_argument;
  return set_int(IPPROTO_TCP, TCP_KEEPINTVL, seconds_for(ns));
}

NetResult<uint32_t> Socket::keep_alive_count() const {
  return converted<uint32_t>(get_int(IPPROTO_TCP, TCP_KEEPCNT));
}

NetResult<void> Socket::set_keep_alive_count(uint32_t n) {
  if (n == 0) return ErrorCode::invalid_argument;
  return set_int(IPPROTO_TCP, TCP_KEEPCNT, n > kMaxKeepAliveCount ? kMaxKeepAliveCount : static_cast<int>(n));
}

NetResult<uint8_t> Socket::hop_limit() const {
  return converted<uint8_t>(family_ == Family::ipv4 ? get_int(IPPROTO_IP, IP_TTL)
                                                    : get_int(IPPROTO_IPV6, IPV6_UNICAST_HOPS));
}

NetResult<void> Socket::set_hop_limit(uint8_t n) {
  if (n == 0) return ErrorCode::invalid_argument;
  return family_ == Family::ipv4 ? set_int(IPPROTO_IP, IP_TTL, n) : set_int(IPPROTO_IPV6, IPV6_UNICAST_HOPS, n);
}

NetResult<uint64_t> Socket::receive_buffer_size() const {
  return converted<uint64_t>(get_int(SOL_SOCKET, SO_RCVBUF));
}

NetResult<void> Socket::set_receive_buffer_size(uint64_t n) {
  if (n == 0) return ErrorCode::invalid_argument;
  return set_int(SOL_SOCKET, SO_RCVBUF, clamp_int(n));
}

NetResult<uint64_t> Socket::send_buffer_size() const {
  return converted<uint64_t>(get_int(SOL_SOCKET, SO_SNDBUF));
}

NetResult<void> Socket::set_send_buffer_size(uint64_t n) {
  if (n == 0) return ErrorCode::invalid_argument;
  return set_int(SOL_SOCKET, SO_SNDBUF, clamp_int(n));
}

NetResult<void> Socket::set_listen_backlog_size(uint64_t n) {
  if (n == 0) return ErrorCode::invalid_argument;
  if (proto_ != Proto::tcp) return ErrorCode::not_supported;
  if (!listening_) return {};  // used by the next listen()
  return listen(n > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(n));
}

NetResult<bool> Socket::ipv6_only() const {
  if (family_ != Family::ipv6) return ErrorCode::not_supported;
  return converted<bool>(get_int(IPPROTO_IPV6, IPV6_V6ONLY), nonzero);
}

NetResult<void> Socket::set_ipv6_only(bool on) {
  if (family_ != Family::ipv6) return ErrorCode::not_supported;
  return set_int(IPPROTO_IPV6, IPV6_V6ONLY, on ? 1 : 0);
}

}  // namespace wippy::net
