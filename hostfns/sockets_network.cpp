// sockets_network.cpp — wasi:sockets/network (the `network` resource, a
// token: the grant itself is WasiCtx::network) and instance-network
// (instance-network() hands out a new network handle), and check_bind, the
// grant's check of a bind that udp and tcp share, and the socket limits
// they share (slots, timeout). WasiHost readies each instance's
// WasiState::open_sockets with limits.max_open_sockets.
#include "component/bind.h"
#include "hostfns/sockets.h"
#include "hostfns/wasi.h"

namespace wippy::hostfns {

using component::HostInterface;
using component::Linker;
using component::Own;

void add_sockets_network(Linker& linker) {
  HostInterface network(linker, wasi_iface("wasi:sockets/network"));
  auto res = network.context_resource<Network, WasiCtx>("network");
  HostInterface instance(linker, wasi_iface("wasi:sockets/instance-network"));
  instance.func("instance-network",
                [res](WasiCtx& ctx) -> Result<Own<Network>> { return in(ctx, res).add(std::make_shared<Network>()); });
}

net::NetResult<void> check_bind(const net::Policy& policy, const net::Socket& sock, const net::SocketAddress& local) {
  if (auto ok = sock.check_address(local); !ok) return ok.error();
  if (!policy.allow_bind) return net::ErrorCode::access_denied;
  if (net::port_of(local) != 0 && !policy.allows(sock.proto(), local)) return net::ErrorCode::access_denied;
  return {};
}

uint64_t socket_wait_ns(const WasiLimits& limits) {
  constexpr uint64_t kNsPerMs = 1000000;
  const uint64_t ms = limits.socket_timeout_ms;
  return ms > UINT64_MAX / kNsPerMs ? UINT64_MAX : ms * kNsPerMs;
}

std::shared_ptr<const void> acquire_socket_slots(WasiState& st) {
  auto file = st.open_files.acquire();
  if (!file) return nullptr;
  auto sock = st.open_sockets.acquire();
  if (!sock) return nullptr;
  return std::make_shared<std::pair<std::shared_ptr<const void>, std::shared_ptr<const void>>>(std::move(file),
                                                                                                std::move(sock));
}

}  // namespace wippy::hostfns
