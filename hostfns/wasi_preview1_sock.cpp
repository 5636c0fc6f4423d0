// wasi_preview1_sock.cpp — preview1 sock_accept, sock_recv, sock_send and
// sock_shutdown on TCP sockets, as wasmtime serves them: the embedder
// preopens listening sockets (WasiCtx::tcp_listeners, made by
// open_tcp_listener under the network grant), they follow the preopened
// directories as fds, and sock_accept hands out the connections.
// Contract:
//  * An fd that is not a socket is notsock, no fd badf. sock_accept on a
//    connection is inval; its flags may only hold fdflags nonblock (else
//    inval), the new fd's flags. Each accepted connection holds socket
//    slots (limits.max_open_files / max_open_sockets): none left is mfile,
//    and nothing is accepted.
//  * A call that would block answers `again` when the fd has fdflags
//    nonblock; otherwise it parks only the calling fiber until the socket
//    is ready (a cancelled call or an exceeded deadline ends it as every
//    wait does), at most limits.socket_timeout_ms without progress
//    (then timedout).
//  * sock_recv fills the iovecs in order (riflags recv_peek leaves the bytes
//    queued, recv_waitall waits until all are filled or the peer closes);
//    0 bytes means the peer closed. roflags are always 0 (stream sockets do
//    not truncate). sock_send writes what the socket takes (one wait at
//    most); a vanished peer is `pipe` and raises no signal. fd_read /
//    fd_write on a connection are sock_recv / sock_send without flags.
//  * sock_shutdown takes sdflags rd (1), wr (2) or both; 0 or more is inval;
//    on a listener it is notconn (the listener stays as it is).
//  * System errors map to the errno of the same name.
#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>
#include <climits>

#include <fmt/format.h>

#include "dispatcher/wait.h"
#include "hostfns/sockets.h"
#include "hostfns/wasi_preview1.h"
#include "hostfns/wasi_preview1_host.h"

namespace wippy::hostfns {

Result<std::shared_ptr<net::Socket>> open_tcp_listener(const net::Policy& policy, const net::SocketAddress& at,
                                                       uint32_t backlog) {
  const std::string where = net::format_socket_address(at);
  auto fail = [&](const char* what) {
    return make_error(ErrorKind::Io, fmt::format("tcp listen on {}: {}", where, what));
  };
  auto s = net::Socket::create(net::family_of(at), net::Proto::tcp);
  if (!s) return fail(net::error_code_name(s.error()));
  if (auto ok = check_bind(policy, *s, at); !ok)
    return fail(ok.error() == net::ErrorCode::access_denied ? "access-denied (the network grant does not allow binding it)"
                                                            : net::error_code_name(ok.error()));
  if (!policy.allow_listen) return fail("access-denied (the network grant does not allow listening)");
  if (auto r = s->bind(at); !r) return fail(net::error_code_name(r.error()));
  if (auto r = s->listen(backlog); !r) return fail(net::error_code_name(r.error()));
  return std::make_shared<net::Socket>(std::move(*s));
}

}  // namespace wippy::hostfns

namespace wippy::hostfns::p1 {

namespace {

constexpr uint16_t kRecvPeek = 1, kRecvWaitall = 2;
constexpr uint32_t kShutRd = 1, kShutWr = 2;

// A host errno of a socket call as a preview1 errno (socket-only names
// first, then the filesystem mapping; EAGAIN is `again`).
Errno errno_of_socket(int e) {
  switch (e) {
    case EAGAIN: return Errno::again;
    case ECONNRESET: return Errno::connreset;
    case ECONNABORTED: return Errno::connaborted;
    case ECONNREFUSED: return Errno::connrefused;
    case ENOTCONN: return Errno::notconn;
    case EISCONN: return Errno::isconn;
    case ETIMEDOUT: return Errno::timedout;
    case ENETDOWN: return Errno::netdown;
    case ENETUNREACH: return Errno::netunreach;
    case ENETRESET: return Errno::netreset;
    case EHOSTUNREACH: return Errno::hostunreach;
    case ENOBUFS: return Errno::nobufs;
    case EMFILE: return Errno::mfile;
    case ENFILE: return Errno::nfile;
    case ENOTSOCK: return Errno::notsock;
    case EPIPE: return Errno::pipe;
    default: return errno_of(fs::fs_errc_from_errno(e));
  }
}

Errno errno_of_accept(net::ErrorCode e) {
  switch (e) {
    case net::ErrorCode::would_block: return Errno::again;
    case net::ErrorCode::invalid_state: return Errno::inval;
    case net::ErrorCode::connection_aborted: return Errno::connaborted;
    case net::ErrorCode::new_socket_limit: return Errno::mfile;
    case net::ErrorCode::out_of_memory: return Errno::nomem;
    case net::ErrorCode::access_denied: return Errno::acces;
    default: return Errno::io;
  }
}

// Runs `attempt` (one non-blocking try: `again` when it would block) until
// it does something, as the contract says: `again` at once on a nonblock
// fd, else waits for the socket (readable, or writable when `write`)
// bounded by its clock.
template <class Attempt>
Result<Errno> until_done(Fd& fd, SocketFd& s, bool write, Attempt attempt) {
  for (;;) {
    const Errno e = attempt();
    if (e != Errno::again) {
      if (e == Errno::success) s.wait.progress();
      return e;
    }
    if (fd.fdflags & kFdNonblock) return Errno::again;
    if (s.wait.expired()) {
      s.wait.progress();
      return Errno::timedout;
    }
    s.wait.arm();
    const int host = s.sock->fd();
    disp::Pollable p = (write ? disp::Pollable::writable(host, s.sock) : disp::Pollable::readable(host, s.sock)).until(s.wait);
    disp::Pollable* list[] = {&p};
    if (auto r = disp::wait_any(list); !r) return r.error();
  }
}

// The host iovecs of `bufs` past the first `skip` bytes (at most IOV_MAX:
// a longer list moves fewer bytes, as a short read or write may).
std::vector<iovec> host_iovecs(const std::vector<IoBuf>& bufs, uint64_t skip) {
  std::vector<iovec> out;
  for (const IoBuf& b : bufs) {
    if (out.size() == IOV_MAX) break;
    if (skip >= b.len) {
      skip -= b.len;
      continue;
    }
    out.push_back({b.data + skip, size_t(b.len - skip)});
    skip = 0;
  }
  return out;
}

Result<Errno> recv_into(Fd& fd, SocketFd& s, const std::vector<IoBuf>& bufs, uint16_t flags, uint64_t& n) {
  uint64_t want = 0;
  for (const IoBuf& b : bufs) want += b.len;
  const int host_flags = MSG_DONTWAIT | ((flags & kRecvPeek) ? MSG_PEEK : 0);
  const bool all = (flags & kRecvWaitall) && !(flags & kRecvPeek);
  n = 0;
  for (;;) {
    std::vector<iovec> iov = host_iovecs(bufs, n);
    ssize_t got = 0;
    auto r = until_done(fd, s, false, [&] {
      msghdr m{};
      m.msg_iov = iov.data();
      m.msg_iovlen = iov.size();
      got = ::recvmsg(s.sock->fd(), &m, host_flags);
      return got < 0 ? errno_of_socket(errno) : Errno::success;
    });
    if (!r) return r;
    if (*r != Errno::success) return n ? Errno::success : *r;
    n += uint64_t(got);
    if (!all || got == 0 || n >= want || iov.empty()) return Errno::success;
  }
}

Result<Errno> send_from(Fd& fd, SocketFd& s, const std::vector<IoBuf>& bufs, uint64_t& n) {
  std::vector<iovec> iov = host_iovecs(bufs, 0);
  ssize_t put = 0;
  auto r = until_done(fd, s, true, [&] {
    msghdr m{};
    m.msg_iov = iov.data();
    m.msg_iovlen = iov.size();
    put = ::sendmsg(s.sock->fd(), &m, MSG_DONTWAIT | MSG_NOSIGNAL);
    return put < 0 ? errno_of_socket(errno) : Errno::success;
  });
  if (r && *r == Errno::success) n = uint64_t(put);
  return r;
}

Errno not_a_socket(const Fd* fd) { return fd ? Errno::notsock : Errno::badf; }

Result<Errno> sock_accept(Call& c) {
  Fd* fd = c.host.fds.get(c.u32(0));
  SocketFd* s = socket_of(fd);
  if (!s) return not_a_socket(fd);
  const uint32_t flags = c.u32(1);
  if (!c.mem.fits(c.u32(2), 4)) return Errno::fault;
  if (flags & ~uint32_t(kFdNonblock) || !s->listening) return Errno::inval;
  auto slots = acquire_socket_slots(c.ctx().state);
  if (!slots) return Errno::mfile;
  std::optional<net::Accepted> got;
  auto r = until_done(*fd, *s, false, [&] {
    auto a = s->sock->accept();
    if (!a) return errno_of_accept(a.error());
    got = std::move(*a);
    return Errno::success;
  });
  if (!r || *r != Errno::success) return r;
  Fd conn;
  conn.obj = SocketFd{std::make_shared<net::Socket>(std::move(got->socket)), false, std::move(slots),
                      disp::WaitClock(s->wait.timeout())};
  conn.rights_base = rights::connection;
  conn.fdflags = uint16_t(flags);
  auto n = c.host.fds.insert(std::move(conn));
  if (!n) return Errno::mfile;
  c.mem.store<uint32_t>(c.u32(2), *n);
  return Errno::success;
}

// sock_recv's and sock_send's first three arguments: the socket fd (else
// notsock, or badf for no fd) and its iovecs (fault outside memory).
struct SockIo {
  Fd* fd = nullptr;
  SocketFd* sock = nullptr;
  std::vector<IoBuf> bufs;
};

Errno sock_io_args(Call& c, SockIo& io) {
  io.fd = c.host.fds.get(c.u32(0));
  io.sock = socket_of(io.fd);
  if (!io.sock) return not_a_socket(io.fd);
  auto bufs = load_iovecs(c.mem, c.u32(1), c.u32(2));
  if (!bufs) return Errno::fault;
  io.bufs = std::move(*bufs);
  return Errno::success;
}

Result<Errno> sock_recv(Call& c) {
  SockIo io;
  if (Errno e = sock_io_args(c, io); e != Errno::success) return e;
  const uint32_t flags = c.u32(3);
  if (!c.mem.fits(c.u32(4), 4) || !c.mem.fits(c.u32(5), 2)) return Errno::fault;
  if (flags & ~uint32_t(kRecvPeek | kRecvWaitall)) return Errno::inval;
  uint64_t n = 0;
  auto r = recv_into(*io.fd, *io.sock, io.bufs, uint16_t(flags), n);
  if (!r || *r != Errno::success) return r;
  c.mem.store<uint32_t>(c.u32(4), uint32_t(n));
  c.mem.store<uint16_t>(c.u32(5), 0);
  return Errno::success;
}

Result<Errno> sock_send(Call& c) {
  SockIo io;
  if (Errno e = sock_io_args(c, io); e != Errno::success) return e;
  if (!c.mem.fits(c.u32(4), 4)) return Errno::fault;
  if (c.u32(3) != 0) return Errno::inval;  // siflags: none are defined
  uint64_t n = 0;
  auto r = send_from(*io.fd, *io.sock, io.bufs, n);
  if (!r || *r != Errno::success) return r;
  c.mem.store<uint32_t>(c.u32(4), uint32_t(n));
  return Errno::success;
}

Result<Errno> sock_shutdown(Call& c) {
  Fd* fd = c.host.fds.get(c.u32(0));
  SocketFd* s = socket_of(fd);
  if (!s) return not_a_socket(fd);
  const uint32_t how = c.u32(1);
  if (how == 0 || how > (kShutRd | kShutWr)) return Errno::inval;
  if (s->listening) return Errno::notconn;  // Linux would stop the listener, which other instances may share
  const int host_how = how == kShutRd ? SHUT_RD : how == kShutWr ? SHUT_WR : SHUT_RDWR;
  return ::shutdown(s->sock->fd(), host_how) == 0 ? Errno::success : errno_of_socket(errno);
}

constexpr FuncDef kFuncs[] = {
    {"sock_accept", "iii", true, sock_accept},
    {"sock_recv", "iiiiii", true, sock_recv},
    {"sock_send", "iiiii", true, sock_send},
    {"sock_shutdown", "ii", true, sock_shutdown},
};

}  // namespace

Result<Errno> socket_read(Fd& fd, const std::vector<IoBuf>& bufs, uint64_t& n) {
  return recv_into(fd, std::get<SocketFd>(fd.obj), bufs, 0, n);
}

Result<Errno> socket_write(Fd& fd, const std::vector<IoBuf>& bufs, uint64_t& n) {
  return send_from(fd, std::get<SocketFd>(fd.obj), bufs, n);
}

std::span<const FuncDef> sock_funcs() { return kFuncs; }

}  // namespace wippy::hostfns::p1
