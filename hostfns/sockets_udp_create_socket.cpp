// sockets_udp_create_socket.cpp — wasi:sockets/udp-create-socket: a new,
// unbound UDP socket of the given family (net::Socket::create; EMFILE and
// the like are new-socket-limit).
#include "component/bind.h"
#include "hostfns/sockets.h"
#include "hostfns/sockets_wit.h"
#include "hostfns/wasi.h"

namespace wippy::hostfns {

using component::HostInterface;
using component::HostResource;
using component::Linker;
using component::Own;
using component::WitResult;
using component::wit_err;
using component::wit_ok;
using wasisock::ErrorCode;

void add_sockets_udp_create_socket(Linker& linker, WasiCtx& /*ctx*/, const HostResource<UdpSocket>& sockets) {
  HostInterface inst(linker, wasi_iface("wasi:sockets/udp-create-socket"));
  inst.func("create-udp-socket", [sockets](net::Family family) -> WitResult<Own<UdpSocket>, ErrorCode> {
    auto s = net::Socket::create(family, net::Proto::udp);
    if (!s) return wit_err(s.error());
    auto u = std::make_unique<UdpSocket>();
    u->sock = std::make_shared<net::Socket>(std::move(*s));
    return wit_ok(sockets.add(std::move(u)));
  });
}

}  // namespace wippy::hostfns
