// sockets_udp_create_socket.cpp — wasi:sockets/udp-create-socket: a new,
// unbound UDP socket of the given family (net::Socket::create; EMFILE and
// the like are new-socket-limit, and so is one past limits.max_open_files,
// which counts sockets with files: WasiState::open_files).
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

void add_sockets_udp_create_socket(Linker& linker, WasiCtx& ctx, const HostResource<UdpSocket>& sockets) {
  HostInterface inst(linker, wasi_iface("wasi:sockets/udp-create-socket"));
  WasiState& st = ctx.state;
  inst.func("create-udp-socket", [&st, sockets](net::Family family) -> Result<WitResult<Own<UdpSocket>, ErrorCode>> {
    using Out = WitResult<Own<UdpSocket>, ErrorCode>;
    auto budget = st.open_files.acquire();
    if (!budget) return Out(wit_err(ErrorCode::new_socket_limit));
    auto s = net::Socket::create(family, net::Proto::udp);
    if (!s) return Out(wit_err(s.error()));
    auto u = std::make_shared<UdpSocket>();
    u->sock = std::make_shared<net::Socket>(std::move(*s));
    u->budget = std::move(budget);
    auto h = sockets.add(std::move(u));
    if (!h) return h.error();
    return Out(wit_ok(*h));
  });
}

}  // namespace wippy::hostfns
