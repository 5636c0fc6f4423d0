// sockets_tcp_create_socket.cpp — wasi:sockets/tcp-create-socket: a new,
// unbound TCP socket of the given family (net::Socket::create; EMFILE and
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

void add_sockets_tcp_create_socket(Linker& linker, WasiCtx& ctx, const HostResource<TcpSocket>& sockets) {
  HostInterface inst(linker, wasi_iface("wasi:sockets/tcp-create-socket"));
  WasiState& st = ctx.state;
  inst.func("create-tcp-socket", [&st, sockets](net::Family family) -> Result<WitResult<Own<TcpSocket>, ErrorCode>> {
    using Out = WitResult<Own<TcpSocket>, ErrorCode>;
    auto budget = st.open_files.acquire();
    if (!budget) return Out(wit_err(ErrorCode::new_socket_limit));
    auto s = net::Socket::create(family, net::Proto::tcp);
    if (!s) return Out(wit_err(s.error()));
    auto t = std::make_shared<TcpSocket>();
    t->sock = std::make_shared<net::Socket>(std::move(*s));
    t->budget = std::move(budget);
    auto h = sockets.add(std::move(t));
    if (!h) return h.error();
    return Out(wit_ok(*h));
  });
}

}  // namespace wippy::hostfns
