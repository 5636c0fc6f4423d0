// sockets.h — what the hostfns/sockets_*.cpp files share: the per-instance
// resource objects of wasi:sockets (network, udp-socket and its datagram
// streams, tcp-socket) and the registration functions, called by add_wasi_to_linker in
// this order. The grant (which addresses, bind, listen, lookup) is
// WasiCtx::network (net/rules.h); a refused operation returns
// access-denied and touches no socket. Limits (WasiLimits): every socket
// holds a slot of WasiState::open_files and of open_sockets (none left:
// new-socket-limit); socket_timeout_ms bounds each wait (a disp::WaitClock
// per socket and per stream, dispatcher/wait_clock.h, bounding the
// pollables of subscribe): a connect, accept, receive, a wait for send
// space on an outgoing-datagram-stream (check-send / send) or a DNS lookup
// past it fails with `timeout`, once (the clock then restarts on the next
// wait); a socket stream fails for good (last-operation-failed).
#pragma once
#include <cstdint>
#include <memory>
#include <optional>

#include "component/bind.h"
#include "dispatcher/fd_stream.h"
#include "hostfns/wasi_ctx.h"
#include "net/socket.h"

namespace wippy::hostfns {

struct Network {};  // wasi:sockets/network's resource: a token

// Datagram streams and pollables are children of their udp-socket handle
// in WasiState::table, and fd pollables keep the net::Socket alive, so the
// descriptor stays open (its number unreused) while any of them lives.
struct UdpSocket {
  enum class State : uint8_t { unbound, bind_started, bound };
  std::shared_ptr<net::Socket> sock;  // shared with the datagram streams
  std::shared_ptr<const void> budget; // its slots in WasiState::open_files and open_sockets
  State state = State::unbound;
  std::optional<net::SocketAddress> remote;  // the peer of the current stream
};
struct IncomingDatagramStream {
  std::shared_ptr<net::Socket> sock;
  disp::WaitClock wait;  // a receive waiting past socket_timeout_ms: timeout
};
struct OutgoingDatagramStream {
  std::shared_ptr<net::Socket> sock;
  std::optional<net::SocketAddress> remote;  // connected: every datagram goes here
  uint64_t permits = 0;                      // left from the last check-send
  disp::WaitClock wait;  // a wait for send space past socket_timeout_ms: timeout
};

// A tcp-socket. Its input/output streams and pollables are children of its
// handle and keep the net::Socket alive. The WASI state machine:
// unbound -> bind_started -> bound -> connecting -> connected, or
// bound -> listen_started -> listening; a failed connect ends in `closed`.
struct TcpSocket {
  enum class State : uint8_t { unbound, bind_started, bound, connecting, connected, listen_started, listening, closed };
  std::shared_ptr<net::Socket> sock;
  std::shared_ptr<const void> budget;  // its slots in WasiState::open_files and open_sockets
  State state = State::unbound;
  uint64_t backlog = 128;              // for the next listen
  disp::WaitClock wait;                // connect / accept past socket_timeout_ms: timeout
};

// The grant's check of a bind of `sock` to `local`, before any system call:
// the address must suit the socket (invalid-argument), the grant must allow
// binding, and a fixed port (not 0) must match a rule of the socket's
// protocol (else access-denied).
net::NetResult<void> check_bind(const net::Policy& policy, const net::Socket& sock, const net::SocketAddress& local);

// WasiLimits::socket_timeout_ms in nanoseconds (0: none), saturating.
uint64_t socket_wait_ns(const WasiLimits& limits);

// The slots one more socket holds (open_files and open_sockets together),
// or null when either is used up.
std::shared_ptr<const void> acquire_socket_slots(WasiState& st);

// create-udp-socket / create-tcp-socket: a new unbound socket S (a
// UdpSocket or TcpSocket) of `family`, holding acquire_socket_slots (none
// left, or EMFILE and the like: new-socket-limit). `wait_ns` is
// socket_wait_ns, for a TcpSocket's clock.
template <class S>
Result<component::WitResult<component::Own<S>, net::ErrorCode>> create_socket(
    WasiState& st, const component::HostResource<S>& sockets, net::Family family, net::Proto proto,
    uint64_t wait_ns = 0) {
  using Out = component::WitResult<component::Own<S>, net::ErrorCode>;
  auto budget = acquire_socket_slots(st);
  if (!budget) return Out(component::wit_err(net::ErrorCode::new_socket_limit));
  auto s = net::Socket::create(family, proto);
  if (!s) return Out(component::wit_err(s.error()));
  auto obj = std::make_shared<S>();
  obj->sock = std::make_shared<net::Socket>(std::move(*s));
  obj->budget = std::move(budget);
  if constexpr (requires { obj->wait; }) obj->wait.set_timeout(wait_ns);
  auto h = sockets.add(std::move(obj));
  if (!h) return h.error();
  return Out(component::wit_ok(*h));
}

// Registered once per WasiHost (one linker for every instance): each
// function finds the calling instance's WasiCtx through its store
// (component/host_context.h) and its resources on that instance's table.
void add_sockets_network(component::Linker& linker);
void add_sockets_ip_name_lookup(component::Linker& linker);
// udp returns its socket type for udp-create-socket.
component::HostResource<UdpSocket> add_sockets_udp(component::Linker& linker);
void add_sockets_udp_create_socket(component::Linker& linker, const component::HostResource<UdpSocket>& sockets);
// tcp returns its socket type for tcp-create-socket.
component::HostResource<TcpSocket> add_sockets_tcp(component::Linker& linker);
void add_sockets_tcp_create_socket(component::Linker& linker, const component::HostResource<TcpSocket>& sockets);

}  // namespace wippy::hostfns
