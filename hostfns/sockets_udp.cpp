// sockets_udp.cpp — wasi:sockets/udp on net::Socket: udp-socket
// (start-/finish-bind, stream, addresses, options, subscribe),
// incoming-datagram-stream (receive, subscribe) and outgoing-datagram-stream
// (check-send, send, subscribe). The grant (WasiCtx::network) is checked
// before any system call: bind needs allow_bind, and a bind to a fixed port
// (not 0), a stream's remote address and each datagram's destination must
// match the rules (proto udp), else access-denied. send without a preceding
// check-send permitting that many datagrams traps, as the WIT requires.
// limits.socket_timeout_ms bounds the pollables of the datagram streams; a
// receive, check-send or send after one ran out fails with `timeout` once.
#include <algorithm>
#include <memory>

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

namespace {

constexpr size_t kMaxDatagram = 65536;      // the largest UDP payload, plus one
constexpr uint64_t kMaxReceive = 64;        // datagrams per receive call, at most
constexpr uint64_t kSendPermits = 64;       // datagrams per check-send

struct WitIncomingDatagram {
  std::vector<uint8_t> data;
  WitSocketAddress remote_address;
};
auto wit_describe(const WitIncomingDatagram*) {
  return component::wit_record(component::wit_field("data", &WitIncomingDatagram::data),
                               component::wit_field("remote-address", &WitIncomingDatagram::remote_address));
}
struct WitOutgoingDatagram {
  std::vector<uint8_t> data;
  std::optional<WitSocketAddress> remote_address;
};
auto wit_describe(const WitOutgoingDatagram*) {
  return component::wit_record(component::wit_field("data", &WitOutgoingDatagram::data),
                               component::wit_field("remote-address", &WitOutgoingDatagram::remote_address));
}

using Streams = std::tuple<Own<IncomingDatagramStream>, Own<OutgoingDatagramStream>>;

// The streams are children of the socket's handle `parent`.
Result<WitResult<Streams, ErrorCode>> open_streams(const net::Policy& policy, UdpSocket& u, uint32_t parent,
                                                   const std::optional<WitSocketAddress>& remote,
                                                   const HostResource<IncomingDatagramStream>& ins,
                                                   const HostResource<OutgoingDatagramStream>& outs,
                                                   uint64_t wait_ns) {
  using Out = WitResult<Streams, ErrorCode>;
  if (u.state != UdpSocket::State::bound) return Out(wit_err(ErrorCode::invalid_state));
  std::optional<net::SocketAddress> peer;
  if (remote) {
    peer = wasisock::from_wit(*remote);
    if (auto ok = u.sock->check_remote(*peer); !ok) return Out(wit_err(ok.error()));
    if (!policy.allows(net::Proto::udp, *peer)) return Out(wit_err(ErrorCode::access_denied));
    if (auto c = u.sock->start_connect(*peer); !c) return Out(wit_err(c.error()));
  } else if (u.remote) {
    if (auto d = u.sock->disconnect(); !d) return Out(wit_err(d.error()));
  }
  u.remote = peer;
  auto in = std::make_shared<IncomingDatagramStream>();
  in->sock = u.sock;
  in->wait.set_timeout(wait_ns);
  auto out = std::make_shared<OutgoingDatagramStream>();
  out->sock = u.sock;
  out->remote = peer;
  out->wait.set_timeout(wait_ns);
  auto in_h = ins.add(std::move(in), parent);
  if (!in_h) return in_h.error();
  auto out_h = outs.add(std::move(out), parent);
  if (!out_h) return out_h.error();
  return Out(wit_ok(Streams(*in_h, *out_h)));
}

WitResult<std::vector<WitIncomingDatagram>, ErrorCode> receive(IncomingDatagramStream& s, uint64_t max) {
  std::vector<WitIncomingDatagram> got;
  std::vector<uint8_t> buf(kMaxDatagram);
  for (uint64_t i = 0; i < std::min(max, kMaxReceive); ++i) {
    auto d = s.sock->receive_from(buf);
    if (!d) {
      if (d.error() == ErrorCode::would_block && got.empty() && s.wait.expired()) {
        s.wait.progress();
        return wit_err(ErrorCode::timeout);
      }
      if (d.error() == ErrorCode::would_block || !got.empty()) break;
      return wit_err(d.error());
    }
    s.wait.progress();
    got.push_back({std::vector<uint8_t>(buf.begin(), buf.begin() + static_cast<ptrdiff_t>(d->size)),
                   wasisock::to_wit(d->from)});
  }
  return wit_ok(std::move(got));
}

Result<WitResult<uint64_t, ErrorCode>> send(const net::Policy& policy, OutgoingDatagramStream& s,
                                            const std::vector<WitOutgoingDatagram>& datagrams) {
  if (datagrams.empty()) return WitResult<uint64_t, ErrorCode>(wit_ok(uint64_t{0}));
  if (datagrams.size() > s.permits)
    return host_trap(fmt::format("outgoing-datagram-stream.send: {} datagrams, but check-send permitted {}",
                                 datagrams.size(), s.permits));
  s.permits = 0;
  uint64_t sent = 0;
  for (const WitOutgoingDatagram& d : datagrams) {
    std::optional<net::SocketAddress> to;
    if (d.remote_address) to = wasisock::from_wit(*d.remote_address);
    ErrorCode err = ErrorCode::unknown;
    bool refused = false;
    if (s.remote) {
      refused = to && !(*to == *s.remote);  // a connected stream sends only to its peer
      err = ErrorCode::invalid_argument;
      to.reset();
    } else if (!to) {
      refused = true;
      err = ErrorCode::invalid_argument;
    } else if (auto ok = s.sock->check_remote(*to); !ok) {
      refused = true;
      err = ok.error();
    } else if (!policy.allows(net::Proto::udp, *to)) {
      refused = true;
      err = ErrorCode::access_denied;
    }
    if (!refused) {
      auto n = s.sock->send_to(d.data, to);
      if (n) {
        ++sent;
        s.wait.progress();
        continue;
      }
      if (n.error() == ErrorCode::would_block) {
        if (sent == 0 && s.wait.expired()) {  // waited for send space past the timeout
          s.wait.progress();
          return WitResult<uint64_t, ErrorCode>(wit_err(ErrorCode::timeout));
        }
        break;
      }
      err = n.error();
    }
    if (sent > 0) break;  // report what went; the next send meets the error again
    return WitResult<uint64_t, ErrorCode>(wit_err(err));
  }
  return WitResult<uint64_t, ErrorCode>(wit_ok(sent));
}

// A datagram stream's subscribe: arms the stream's wait clock and returns a
// pollable (child of the stream's handle) made by `ready`
// (Pollable::readable or ::writable) on its socket, bounded by that clock.
template <class Stream>
Result<Val> subscribe_datagram_stream(WasiCtx& ctx, const HostResource<Stream>& streams, Borrow<Stream> self,
                                      disp::Pollable (*ready)(int, std::shared_ptr<const void>)) {
  auto s = in(ctx, streams).get(self);
  if (!s) return s.error();
  const auto& sock = (*s)->sock;
  (*s)->wait.arm();
  return new_pollable(ctx.state, ready(sock->fd(), sock).until((*s)->wait), self.rep());
}

}  // namespace

HostResource<UdpSocket> add_sockets_udp(Linker& linker) {
  HostInterface inst(linker, wasi_iface("wasi:sockets/udp"));
  auto sockets = inst.context_resource<UdpSocket, WasiCtx>("udp-socket");
  auto ins = inst.context_resource<IncomingDatagramStream, WasiCtx>("incoming-datagram-stream");
  auto outs = inst.context_resource<OutgoingDatagramStream, WasiCtx>("outgoing-datagram-stream");

  add_bind_methods(inst, "udp-socket", sockets);
  inst.func("[method]udp-socket.stream",
            [sockets, ins, outs](WasiCtx& ctx, Borrow<UdpSocket> self, std::optional<WitSocketAddress> remote)
                -> Result<WitResult<Streams, ErrorCode>> {
              WIPPY_HOST_SELF(u, sockets, self);
              return open_streams(ctx.network, u, self.rep(), remote, in(ctx, ins), in(ctx, outs),
                                  socket_wait_ns(ctx.limits));
            });
  inst.func("[method]udp-socket.local-address",
            [sockets](WasiCtx& ctx, Borrow<UdpSocket> self) -> Result<WitResult<WitSocketAddress, ErrorCode>> {
              WIPPY_HOST_SELF(u, sockets, self);
              if (u.state != UdpSocket::State::bound) return WitResult<WitSocketAddress, ErrorCode>(wit_err(ErrorCode::invalid_state));
              auto a = u.sock->local_address();
              if (!a) return WitResult<WitSocketAddress, ErrorCode>(wit_err(a.error()));
              return WitResult<WitSocketAddress, ErrorCode>(wit_ok(wasisock::to_wit(*a)));
            });
  inst.func("[method]udp-socket.remote-address",
            [sockets](WasiCtx& ctx, Borrow<UdpSocket> self) -> Result<WitResult<WitSocketAddress, ErrorCode>> {
              WIPPY_HOST_SELF(u, sockets, self);
              if (!u.remote) return WitResult<WitSocketAddress, ErrorCode>(wit_err(ErrorCode::invalid_state));
              return WitResult<WitSocketAddress, ErrorCode>(wit_ok(wasisock::to_wit(*u.remote)));
            });
  inst.func("[method]udp-socket.address-family", [sockets](WasiCtx& ctx, Borrow<UdpSocket> self) -> Result<net::Family> {
    WIPPY_HOST_SELF(u, sockets, self);
    return u.sock->family();
  });
  // Options: the getter and setter of one net::Socket option each.
  add_socket_option(inst, "udp-socket", sockets, "unicast-hop-limit", &net::Socket::hop_limit,
                    &net::Socket::set_hop_limit);
  add_socket_option(inst, "udp-socket", sockets, "receive-buffer-size", &net::Socket::receive_buffer_size,
                    &net::Socket::set_receive_buffer_size);
  add_socket_option(inst, "udp-socket", sockets, "send-buffer-size", &net::Socket::send_buffer_size,
                    &net::Socket::set_send_buffer_size);
  inst.func("[method]udp-socket.subscribe", [sockets](WasiCtx& ctx, Borrow<UdpSocket> self) -> Result<Val> {
    WIPPY_HOST_SELF(u, sockets, self);
    (void)u;  // nothing of a udp-socket is ever awaited: ready at once
    return new_pollable(ctx.state, disp::Pollable::always(), self.rep());
  });

  inst.func("[method]incoming-datagram-stream.receive",
            [ins](WasiCtx& ctx, Borrow<IncomingDatagramStream> self, uint64_t max)
                -> Result<WitResult<std::vector<WitIncomingDatagram>, ErrorCode>> {
              auto s = in(ctx, ins).get(self);
              if (!s) return s.error();
              return receive(**s, max);
            });
  inst.func("[method]incoming-datagram-stream.subscribe",
            [ins](WasiCtx& ctx, Borrow<IncomingDatagramStream> self) -> Result<Val> {
              return subscribe_datagram_stream(ctx, ins, self, &disp::Pollable::readable);
            });
  inst.func("[method]outgoing-datagram-stream.check-send",
            [outs](WasiCtx& ctx, Borrow<OutgoingDatagramStream> self) -> Result<WitResult<uint64_t, ErrorCode>> {
              auto s = in(ctx, outs).get(self);
              if (!s) return s.error();
              OutgoingDatagramStream& o = **s;
              if (o.wait.expired()) {  // its pollable ran out of time: still no send space?
                o.wait.progress();
                if (!disp::Pollable::writable(o.sock->fd()).ready()) {
                  o.permits = 0;
                  return WitResult<uint64_t, ErrorCode>(wit_err(ErrorCode::timeout));
                }
              }
              o.permits = kSendPermits;
              return WitResult<uint64_t, ErrorCode>(wit_ok(kSendPermits));
            });
  inst.func("[method]outgoing-datagram-stream.send",
            [outs](WasiCtx& ctx, Borrow<OutgoingDatagramStream> self, std::vector<WitOutgoingDatagram> datagrams)
                -> Result<WitResult<uint64_t, ErrorCode>> {
              auto s = in(ctx, outs).get(self);
              if (!s) return s.error();
              return send(ctx.network, **s, datagrams);
            });
  inst.func("[method]outgoing-datagram-stream.subscribe",
            [outs](WasiCtx& ctx, Borrow<OutgoingDatagramStream> self) -> Result<Val> {
              return subscribe_datagram_stream(ctx, outs, self, &disp::Pollable::writable);
            });
  return sockets;
}

}  // namespace wippy::hostfns
