// sockets_network.cpp — wasi:sockets/network (the `network` resource, a
// token: the grant itself is WasiCtx::network) and instance-network
// (instance-network() hands out a new network handle), and check_bind, the
// grant's check of a bind that udp and tcp share.
#include "component/bind.h"
#include "hostfns/sockets.h"
#include "hostfns/wasi.h"

namespace wippy::hostfns {

using component::HostInterface;
using component::Linker;
using component::Own;

void add_sockets_network(Linker& linker, WasiCtx& ctx) {
  HostInterface network(linker, wasi_iface("wasi:sockets/network"));
  auto res = network.resource<Network>("network", ctx.state.table);
  HostInterface instance(linker, wasi_iface("wasi:sockets/instance-network"));
  instance.func("instance-network", [res]() -> Result<Own<Network>> { return res.add(std::make_shared<Network>()); });
}

net::NetResult<void> check_bind(const net::Policy& policy, const net::Socket& sock, const net::SocketAddress& local) {
  if (auto ok = sock.check_address(local); !ok) return ok.error();
  if (!policy.allow_bind) return net::ErrorCode::access_denied;
  if (net::port_of(local) != 0 && !policy.allows(sock.proto(), local)) return net::ErrorCode::access_denied;
  return {};
}

}  // namespace wippy::hostfns
