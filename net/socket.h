// socket.h — one non-blocking TCP or UDP socket (IPv4 or IPv6).
// Contract:
//  * A Socket owns its descriptor (SOCK_CLOEXEC | SOCK_NONBLOCK) and closes
//    it when destroyed or close()d; it is move-only. Every call returns at
//    once: would-block when the kernel would have to wait. Errors are
//    wasi:sockets codes (net_error.h), mapped per operation.
//  * Address checks follow wasi:sockets: an address of the other family, or
//    an IPv4-mapped IPv6 address (::ffff:a.b.c.d) on an IPv6 socket, is
//    invalid-argument; so are connect / send to an unspecified address or
//    port 0, and a TCP connect to a multicast or broadcast address. The
//    checks run before any system call, so a refused address touches no
//    socket state.
//  * Waiting parks only the calling fiber: wait_readable / wait_writable
//    (this_fiber, with an optional monotonic deadline; past it the wait
//    fails with `timeout`) and the blocking_* helpers that retry an
//    operation until it stops returning would-block. Outside a fiber they
//    fail with `unknown`. For wasi:io pollables, use fd() with the
//    dispatcher's readiness (readable: data, a connection to accept, EOF or
//    an error; writable: send space or a finished connect).
//  * Options take wasi:sockets units (durations in nanoseconds) and reject
//    0 as invalid-argument where the WIT says so; too-large values are
//    clamped to what Linux accepts.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "dispatcher/clock.h"
#include "dispatcher/this_fiber.h"
#include "net/address.h"
#include "net/net_error.h"
#include "net/rules.h"

namespace wippy::net {

class Socket;

struct Accepted;  // below: a Socket and the peer's address

struct Datagram {
  size_t size = 0;        // bytes stored in the buffer
  size_t full_size = 0;   // the datagram's length (> size: truncated)
  SocketAddress from;
};

class Socket {
 public:
  Socket() = default;
  static NetResult<Socket> create(Family f, Proto p);
  Socket(Socket&& o) noexcept;
  Socket& operator=(Socket&& o) noexcept;
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  ~Socket() { close(); }

  bool valid() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  Family family() const { return family_; }
  Proto proto() const { return proto_; }
  void close();
  // Hands the descriptor to the caller (who closes it); the Socket is left empty.
  int release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }

  // --- addresses --------------------------------------------------------
  // invalid-argument if `a` does not suit this socket (see the contract).
  NetResult<void> check_address(const SocketAddress& a) const;
  NetResult<void> check_remote(const SocketAddress& a) const;  // + unspecified / port 0 / multicast
  NetResult<SocketAddress> local_address() const;
  NetResult<SocketAddress> remote_address() const;

  // --- lifecycle --------------------------------------------------------
  NetResult<void> bind(const SocketAddress& a);  // TCP: SO_REUSEADDR first
  // true: connected at once; false: in progress (wait writable, then finish).
  NetResult<bool> start_connect(const SocketAddress& remote);
  // would-block while still in progress; then the connect's own outcome.
  NetResult<void> finish_connect();
  NetResult<void> listen(uint32_t backlog);
  NetResult<Accepted> accept();
  NetResult<void> disconnect();  // UDP: forget the connected peer
  NetResult<void> shutdown(bool receive, bool send);

  // --- data -------------------------------------------------------------
  // read: 0 with a non-empty buffer means end of stream.
  NetResult<size_t> read(std::span<uint8_t> buf);
  NetResult<size_t> write(std::span<const uint8_t> data);
  // UDP: to `to`, or to the connected peer when nullopt.
  NetResult<size_t> send_to(std::span<const uint8_t> data, const std::optional<SocketAddress>& to);
  NetResult<Datagram> receive_from(std::span<uint8_t> buf);

  // --- waits (calling fiber only) ---------------------------------------
  NetResult<void> wait_readable(uint64_t deadline = disp::kNever) const;
  NetResult<void> wait_writable(uint64_t deadline = disp::kNever) const;
  NetResult<void> connect(const SocketAddress& remote, uint64_t deadline = disp::kNever);

  // --- options ----------------------------------------------------------
  NetResult<bool> keep_alive_enabled() const;
  NetResult<void> set_keep_alive_enabled(bool on);
  NetResult<uint64_t> keep_alive_idle_time() const;  // ns
  NetResult<void> set_keep_alive_idle_time(uint64_t ns);
  NetResult<uint64_t> keep_alive_interval() const;   // ns
  NetResult<void> set_keep_alive_interval(uint64_t ns);
  NetResult<uint32_t> keep_alive_count() const;
  NetResult<void> set_keep_alive_count(uint32_t n);
  NetResult<uint8_t> hop_limit() const;  // IP_TTL / IPV6_UNICAST_HOPS
  NetResult<void> set_hop_limit(uint8_t n);
  NetResult<uint64_t> receive_buffer_size() const;
  NetResult<void> set_receive_buffer_size(uint64_t n);
  NetResult<uint64_t> send_buffer_size() const;
  NetResult<void> set_send_buffer_size(uint64_t n);
  NetResult<void> set_listen_backlog_size(uint64_t n);  // re-listens when listening
  NetResult<bool> ipv6_only() const;                    // not-supported on IPv4
  NetResult<void> set_ipv6_only(bool on);

 private:
  Socket(int fd, Family f, Proto p) : fd_(fd), family_(f), proto_(p) {}
  NetResult<int> get_int(int level, int name) const;
  NetResult<void> set_int(int level, int name, int value);

  int fd_ = -1;
  Family family_ = Family::ipv4;
  Proto proto_ = Proto::tcp;
  bool listening_ = false;
};

struct Accepted {
  Socket socket;
  SocketAddress remote;
};

// Retries op() (a call returning NetResult) while it fails with would-block,
// waiting for the direction `write` between tries (and failing with
// `timeout` once `deadline` passes). A call that never had to wait still
// yields once (a budget decrement when nothing else is runnable), so a
// fiber whose operations all complete at once (loopback connects, reads
// of buffered data) cannot keep the loop from polling its descriptors:
// without it, a connecting fiber filled a listener's backlog before the
// accepting fiber ran, and every overflowing SYN cost a 1 s retransmit.
template <class Op>
auto blocking(const Socket& s, bool write, uint64_t deadline, Op op) -> decltype(op()) {
  for (bool waited = false;; waited = true) {
    auto r = op();
    if (r.ok() || r.error() != ErrorCode::would_block) {
      if (!waited) (void)disp::this_fiber::yield();
      return r;
    }
    NetResult<void> w = write ? s.wait_writable(deadline) : s.wait_readable(deadline);
    if (!w) return w.error();
  }
}

}  // namespace wippy::net
