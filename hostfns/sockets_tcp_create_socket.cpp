// sockets_tcp_create_socket.cpp — wasi:sockets/tcp-create-socket: a new,
// unbound TCP socket of the given family (net::Socket::create; EMFILE and
// the like are new-socket-limit, and so is one past limits.max_open_files,
// which counts sockets with files, or past limits.max_open_sockets).
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
using wasisock::ErrorCode;

void add_sockets_tcp_create_socket(Linker& linker, WasiCtx& ctx, const HostResource<TcpSocket>& sockets) {
  HostInterface inst(linker, wasi_iface("wasi:sockets/tcp-create-socket"));
  WasiState& st = ctx.state;
  const uint64_t wait_ns = socket_wait_ns(ctx.limits);
  inst.func("create-tcp-socket",
            [&st, sockets, wait_ns](net::Family family) -> Result<WitResult<Own<TcpSocket>, ErrorCode>> {
              return create_socket(st, sockets, family, net::Proto::tcp, wait_ns);
            });
}

}  // namespace wippy::hostfns
