// sockets_tcp.cpp — wasi:sockets/tcp on net::Socket: every method of
// tcp-socket (bind, connect, listen, accept, addresses, options, subscribe,
// shutdown) following the WIT's state machine (TcpSocket::State): a finish-*
// without its start is not-in-progress, finish-connect before the kernel
// is done is would-block, a call in the wrong state is invalid-state (or
// concurrency-conflict while a connect / listen is under way). The grant
// (WasiCtx::network) is checked before any system call: bind needs
// allow_bind and, for a fixed port, a rule matching the local address;
// connect a rule matching the remote (proto tcp); listen allow_listen.
// Connected streams are FdInputStream / FdOutputStream over the socket's
// descriptor, children of the tcp-socket handle, keeping the socket alive.
// limits.socket_timeout_ms (sockets.h): the clock of a connect starts at
// start-connect, an accept's when the listener is subscribed to; streams
// get it as their wait timeout.
#include "dispatcher/fd_stream.h"
#include "hostfns/bind_names.h"
#include "hostfns/host_util.h"
#include "hostfns/sockets.h"
#include "hostfns/sockets_bind.h"
#include "hostfns/sockets_wit.h"
#include "hostfns/wasi.h"

namespace wippy::hostfns {

using wasisock::ErrorCode;
using wasisock::WitSocketAddress;
using wasisock::wit_of;
using Unit = WitResult<void, ErrorCode>;
using State = TcpSocket::State;

namespace {

enum class ShutdownType : uint8_t { receive, send, both };
auto wit_describe(const ShutdownType*) { return component::wit_enum<ShutdownType>("receive", "send", "both"); }

using Streams = std::tuple<Own<>, Own<>>;
using Accepted = std::tuple<Own<TcpSocket>, Own<>, Own<>>;
using AddressOut = WitResult<WitSocketAddress, ErrorCode>;

Unit start_connect(const net::Policy& policy, TcpSocket& t, const net::SocketAddress& remote) {
  if (t.state == State::connecting || t.state == State::listen_started) return wit_err(ErrorCode::concurrency_conflict);
  if (t.state != State::unbound && t.state != State::bound) return wit_err(ErrorCode::invalid_state);
  if (auto ok = t.sock->check_remote(remote); !ok) return wit_err(ok.error());
  if (!policy.allows(net::Proto::tcp, remote)) return wit_err(ErrorCode::access_denied);
  if (auto c = t.sock->start_connect(remote); !c) return wit_err(c.error());
  t.state = State::connecting;
  t.wait.arm();
  return wit_ok();
}

// The input and output stream of a connected socket, children of `parent`.
Result<Streams> open_streams(WasiState& st, const TcpSocket& t, uint32_t parent) {
  const int fd = t.sock->fd();
  auto input = std::make_shared<disp::FdInputStream>(fd, t.sock);
  input->set_wait_timeout(t.wait.timeout());
  auto output = std::make_shared<disp::FdOutputStream>(fd, t.sock, true);
  output->set_wait_timeout(t.wait.timeout());
  auto in = st.table->insert<disp::InputStream>(std::move(input), parent);
  if (!in) return in.error();
  auto out = st.table->insert<disp::OutputStream>(std::move(output), parent);
  if (!out) return out.error();
  return Streams(Own<>(st.types.input_stream, *in), Own<>(st.types.output_stream, *out));
}

Result<WitResult<Streams, ErrorCode>> finish_connect(WasiState& st, TcpSocket& t, uint32_t self) {
  using Out = WitResult<Streams, ErrorCode>;
  if (t.state != State::connecting) return Out(wit_err(ErrorCode::not_in_progress));
  if (auto r = t.sock->finish_connect(); !r) {
    ErrorCode e = r.error();
    if (e == ErrorCode::would_block && t.wait.expired()) e = ErrorCode::timeout;
    if (e != ErrorCode::would_block) t.state = State::closed;
    return Out(wit_err(e));
  }
  t.wait.progress();
  auto streams = open_streams(st, t, self);
  if (!streams) return streams.error();
  t.state = State::connected;
  return Out(wit_ok(std::move(*streams)));
}

Unit start_listen(const net::Policy& policy, TcpSocket& t) {
  if (t.state == State::connecting || t.state == State::listen_started) return wit_err(ErrorCode::concurrency_conflict);
  if (t.state != State::bound) return wit_err(ErrorCode::invalid_state);
  if (!policy.allow_listen) return wit_err(ErrorCode::access_denied);
  const uint32_t backlog = t.backlog > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(t.backlog);
  if (auto r = t.sock->listen(backlog); !r) return wit_err(r.error());
  t.state = State::listen_started;
  return wit_ok();
}

// The accepted connection holds socket slots like a created one. A wait
// for a connection past the timeout reports `timeout` once.
Result<WitResult<Accepted, ErrorCode>> accept(WasiState& st, const HostResource<TcpSocket>& sockets, TcpSocket& t) {
  using Out = WitResult<Accepted, ErrorCode>;
  if (t.state != State::listening) return Out(wit_err(ErrorCode::invalid_state));
  auto budget = acquire_socket_slots(st);
  if (!budget) return Out(wit_err(ErrorCode::new_socket_limit));
  auto a = t.sock->accept();
  if (!a) {
    if (a.error() == ErrorCode::would_block && t.wait.expired()) {
      t.wait.progress();
      return Out(wit_err(ErrorCode::timeout));
    }
    return Out(wit_err(a.error()));
  }
  t.wait.progress();
  auto c = std::make_shared<TcpSocket>();
  c->sock = std::make_shared<net::Socket>(std::move(a->socket));
  c->budget = std::move(budget);
  c->state = State::connected;
  c->wait.set_timeout(t.wait.timeout());
  auto h = sockets.add(c);
  if (!h) return h.error();
  auto streams = open_streams(st, *c, h->rep());
  if (!streams) return streams.error();
  return Out(wit_ok(Accepted(*h, std::get<0>(*streams), std::get<1>(*streams))));
}

Unit set_backlog(TcpSocket& t, uint64_t n) {
  if (n == 0) return wit_err(ErrorCode::invalid_argument);
  if (t.state == State::connecting || t.state == State::connected || t.state == State::closed)
    return wit_err(ErrorCode::invalid_state);
  if (auto r = t.sock->set_listen_backlog_size(n); !r) return wit_err(r.error());
  t.backlog = n;
  return wit_ok();
}

Unit shutdown(TcpSocket& t, ShutdownType how) {
  if (t.state != State::connected) return wit_err(ErrorCode::invalid_state);
  return wit_of(t.sock->shutdown(how != ShutdownType::send, how != ShutdownType::receive));
}

bool is_bound(State s) { return s != State::unbound && s != State::bind_started && s != State::closed; }

}  // namespace

HostResource<TcpSocket> add_sockets_tcp(Linker& linker) {
  HostInterface inst(linker, wasi_iface("wasi:sockets/tcp"));
  auto sockets = inst.context_resource<TcpSocket, WasiCtx>("tcp-socket");

  add_bind_methods(inst, "tcp-socket", sockets);
  inst.func("[method]tcp-socket.start-connect",
            [sockets](WasiCtx& ctx, Borrow<TcpSocket> self, Borrow<> /*network*/, WitSocketAddress remote) -> Result<Unit> {
              WIPPY_HOST_SELF(t, sockets, self);
              return start_connect(ctx.network, t, wasisock::from_wit(remote));
            });
  inst.func("[method]tcp-socket.finish-connect",
            [sockets](WasiCtx& ctx, Borrow<TcpSocket> self) -> Result<WitResult<Streams, ErrorCode>> {
              WIPPY_HOST_SELF(t, sockets, self);
              return finish_connect(ctx.state, t, self.rep());
            });
  inst.func("[method]tcp-socket.start-listen", [sockets](WasiCtx& ctx, Borrow<TcpSocket> self) -> Result<Unit> {
    WIPPY_HOST_SELF(t, sockets, self);
    return start_listen(ctx.network, t);
  });
  inst.func("[method]tcp-socket.finish-listen", [sockets](WasiCtx& ctx, Borrow<TcpSocket> self) -> Result<Unit> {
    WIPPY_HOST_SELF(t, sockets, self);
    if (t.state != State::listen_started) return Unit(wit_err(ErrorCode::not_in_progress));
    t.state = State::listening;
    return Unit(wit_ok());
  });
  inst.func("[method]tcp-socket.accept",
            [sockets](WasiCtx& ctx, Borrow<TcpSocket> self) -> Result<WitResult<Accepted, ErrorCode>> {
              WIPPY_HOST_SELF(t, sockets, self);
              return accept(ctx.state, in(ctx, sockets), t);
            });
  inst.func("[method]tcp-socket.local-address", [sockets](WasiCtx& ctx, Borrow<TcpSocket> self) -> Result<AddressOut> {
    WIPPY_HOST_SELF(t, sockets, self);
    if (!is_bound(t.state)) return AddressOut(wit_err(ErrorCode::invalid_state));
    auto a = t.sock->local_address();
    if (!a) return AddressOut(wit_err(a.error()));
    return AddressOut(wit_ok(wasisock::to_wit(*a)));
  });
  inst.func("[method]tcp-socket.remote-address", [sockets](WasiCtx& ctx, Borrow<TcpSocket> self) -> Result<AddressOut> {
    WIPPY_HOST_SELF(t, sockets, self);
    if (t.state != State::connected) return AddressOut(wit_err(ErrorCode::invalid_state));
    auto a = t.sock->remote_address();
    if (!a) return AddressOut(wit_err(a.error()));
    return AddressOut(wit_ok(wasisock::to_wit(*a)));
  });
  inst.func("[method]tcp-socket.is-listening", [sockets](WasiCtx& ctx, Borrow<TcpSocket> self) -> Result<bool> {
    WIPPY_HOST_SELF(t, sockets, self);
    return t.state == State::listening;
  });
  inst.func("[method]tcp-socket.address-family", [sockets](WasiCtx& ctx, Borrow<TcpSocket> self) -> Result<net::Family> {
    WIPPY_HOST_SELF(t, sockets, self);
    return t.sock->family();
  });
  inst.func("[method]tcp-socket.set-listen-backlog-size", [sockets](WasiCtx& ctx, Borrow<TcpSocket> self, uint64_t v) -> Result<Unit> {
    WIPPY_HOST_SELF(t, sockets, self);
    return set_backlog(t, v);
  });

  // Options: the getter and setter of one net::Socket option each.
  const std::string kind = "tcp-socket";
  add_socket_option(inst, kind, sockets, "keep-alive-enabled", &net::Socket::keep_alive_enabled,
                    &net::Socket::set_keep_alive_enabled);
  add_socket_option(inst, kind, sockets, "keep-alive-idle-time", &net::Socket::keep_alive_idle_time,
                    &net::Socket::set_keep_alive_idle_time);
  add_socket_option(inst, kind, sockets, "keep-alive-interval", &net::Socket::keep_alive_interval,
                    &net::Socket::set_keep_alive_interval);
  add_socket_option(inst, kind, sockets, "keep-alive-count", &net::Socket::keep_alive_count,
                    &net::Socket::set_keep_alive_count);
  add_socket_option(inst, kind, sockets, "hop-limit", &net::Socket::hop_limit, &net::Socket::set_hop_limit);
  add_socket_option(inst, kind, sockets, "receive-buffer-size", &net::Socket::receive_buffer_size,
                    &net::Socket::set_receive_buffer_size);
  add_socket_option(inst, kind, sockets, "send-buffer-size", &net::Socket::send_buffer_size,
                    &net::Socket::set_send_buffer_size);

  // Connecting: ready when the connect has finished; listening: when a
  // connection waits; otherwise nothing is awaited: ready at once.
  inst.func("[method]tcp-socket.subscribe", [sockets](WasiCtx& ctx, Borrow<TcpSocket> self) -> Result<component::Val> {
    WIPPY_HOST_SELF(t, sockets, self);
    const auto& sock = t.sock;
    if (t.state == State::connecting || t.state == State::listening) {
      t.wait.arm();
      const bool connecting = t.state == State::connecting;
      auto p = connecting ? disp::Pollable::writable(sock->fd(), sock) : disp::Pollable::readable(sock->fd(), sock);
      return new_pollable(ctx.state, std::move(p).until(t.wait), self.rep());
    }
    return new_pollable(ctx.state, disp::Pollable::always(), self.rep());
  });
  inst.func("[method]tcp-socket.shutdown", [sockets](WasiCtx& ctx, Borrow<TcpSocket> self, ShutdownType how) -> Result<Unit> {
    WIPPY_HOST_SELF(t, sockets, self);
    return shutdown(t, how);
  });
  return sockets;
}

}  // namespace wippy::hostfns
